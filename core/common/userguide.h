#pragma once

#include "common/error.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <utility>
#include <vector>

namespace trainyard::core {

/// The user guide (README.md) and the pictures it links, as bytes: the window renders it.
struct UserGuideText
{
    QString path; ///< the README.md read
    QByteArray markdown;
    std::vector<std::pair<QString, QByteArray>> images; ///< each linked picture: its link as written, its file's bytes
};

/// Where the guide is and reading it (QtCore only; reads files, so call it on a worker thread).
class UserGuide final
{
public:
    /// The first of `candidates` that exists, canonical; empty when none does.
    static QString find(const QStringList &candidates);
    /// Reads the guide and every picture it links with `![…](relative/path)`; a picture that
    /// cannot be read is left out (the text still shows its caption). The text is in the order
    /// of forReaders().
    static Result<UserGuideText> read(const QString &path);
    /// The guide for someone using the window: the `## ` sections marked with kBuildersMarker
    /// (setting up a build, packaging, tests, the source layout) moved after the others, in their
    /// order. The README keeps its order for people who build it.
    static QByteArray forReaders(const QByteArray &markdown);
    /// The line, under a `## ` heading, that marks a section for people who build Trainyard.
    static constexpr const char *kBuildersMarker = "<!-- user guide: for builders, at the end -->";
};

} // namespace trainyard::core
