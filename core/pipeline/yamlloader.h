#pragma once

#include "common/error.h"
#include "yamlnode.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace trainyard::core {

/// Reads YAML text into a YamlNode tree the way GitLab's Ruby (Psych, YAML 1.1) sees it:
/// anchors and aliases become copies, `<<` merge keys are applied, tags are kept.
/// yaml-cpp exceptions stop here and come back as an Error with FILE:LINE:COLUMN.
class YamlLoader final
{
public:
    /// Upper bound of nodes after alias expansion; protects against "billion laughs" documents.
    static constexpr int kMaxNodes = 1'000'000;

    /// A document and what was read in it that GitLab reads silently: invalid UTF-8 (read as
    /// U+FFFD) and duplicate keys (the last one wins), each a warning at its position.
    struct Document
    {
        YamlNode root;
        std::vector<Error> warnings;
    };

    static Result<Document> read(const QByteArray &text, const QString &fileName);
    /// read() without the warnings.
    static Result<YamlNode> parse(const QByteArray &text, const QString &fileName);
    static Result<Document> load(const QString &path, const QString &displayName = {});
};

} // namespace trainyard::core
