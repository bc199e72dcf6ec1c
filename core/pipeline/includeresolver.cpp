#include "includeresolver.h"

#include "evaluationcontext.h"
#include "globpattern.h"
#include "yamlloader.h"

#include <QDir>
#include <QFileInfo>

namespace trainyard::core {

namespace {
constexpr int kMaxDepth = 100; // GitLab: nested includes up to 100 levels
constexpr int kMaxFiles = 150; // GitLab's default limit of included files
} // namespace

IncludeResolver::IncludeResolver(const EvaluationContext &context, RulesCheck rulesCheck, std::vector<Error> &problems)
    : m_context(context)
    , m_rulesCheck(std::move(rulesCheck))
    , m_problems(problems)
{}

YamlNode IncludeResolver::resolve(const YamlNode &root)
{
    return resolveFile(root, 0);
}

YamlNode IncludeResolver::resolveFile(const YamlNode &root, int depth)
{
    const YamlNode *include = root.isMap() ? root.find(QStringLiteral("include")) : nullptr;
    if (!include)
        return root;
    YamlNode content = YamlNode::map(root.location());
    if (include->isSequence()) {
        for (const auto &entry : include->items())
            includeEntry(entry, content, depth);
    } else if (include->isScalar() || include->isMap()) {
        includeEntry(*include, content, depth);
    } else if (!include->isNull()) {
        m_problems.push_back(
            Error::error(QStringLiteral("include config should be a string, a hash or an array"), include->location()));
    }
    YamlNode own = root;
    own.remove(QStringLiteral("include"));
    return YamlNode::deepMerge(content, own);
}

void IncludeResolver::includeEntry(const YamlNode &entry, YamlNode &content, int depth)
{
    if (entry.isScalar()) {
        const QString text = entry.text();
        if (text.startsWith(QLatin1String("http://")) || text.startsWith(QLatin1String("https://"))) {
            m_unavailable << QStringLiteral("remote ") + text;
            m_problems.push_back(Error::warning(
                QStringLiteral("include of remote file '%1' is not available offline; what it defines is missing")
                    .arg(text),
                entry.location()));
            return;
        }
        includeLocal(text, entry.location(), content, depth);
        return;
    }
    if (!entry.isMap()) {
        m_problems.push_back(
            Error::error(QStringLiteral("include entry should be a string or a hash, not %1").arg(entry.typeName()),
                         entry.location()));
        return;
    }
    if (const YamlNode *rules = entry.find(QStringLiteral("rules")); rules && !m_rulesCheck(*rules))
        return;
    if (const YamlNode *local = entry.find(QStringLiteral("local"))) {
        includeLocal(local->text(), local->location(), content, depth);
        return;
    }
    static const char *const kinds[] = {"remote", "template", "project", "component"};
    for (const char *kind : kinds) {
        const QString key = QLatin1String(kind);
        if (const YamlNode *value = entry.find(key)) {
            QString what = value->text();
            if (key == QLatin1String("project")) {
                const YamlNode *file = entry.find(QStringLiteral("file"));
                what +=
                    QStringLiteral(" (") + (file ? file->toStringList().join(QStringLiteral(", ")) : QString()) + u')';
            }
            m_unavailable << key + u' ' + what;
            m_problems.push_back(Error::warning(
                QStringLiteral("include:%1 '%2' is not available offline; what it defines is missing").arg(key, what),
                value->location()));
            return;
        }
    }
    if (entry.contains(QStringLiteral("artifact"))) {
        // Only valid inside trigger:include (child pipelines); kept as data there.
        m_problems.push_back(
            Error::warning(QStringLiteral("include:artifact is only available in a child pipeline"), entry.location()));
        return;
    }
    m_problems.push_back(Error::error(
        QStringLiteral("include entry needs one of local, remote, template, project or component"), entry.location()));
}

void IncludeResolver::includeLocal(const QString &pattern, const SourceLocation &where, YamlNode &content, int depth)
{
    if (depth >= kMaxDepth) {
        m_problems.push_back(
            Error::error(QStringLiteral("includes are nested too deeply (more than %1 levels)").arg(kMaxDepth), where));
        return;
    }
    QString rel = pattern.trimmed();
    while (rel.startsWith(u'/'))
        rel.remove(0, 1);
    QStringList files;
    if (GlobPattern::isLiteral(rel)) {
        files << rel;
    } else {
        for (const QString &f : m_context.projectFiles()) {
            if (GlobPattern::match(rel, f) && (f.endsWith(QLatin1String(".yml")) || f.endsWith(QLatin1String(".yaml"))))
                files << f;
        }
        if (files.isEmpty()) {
            m_problems.push_back(
                Error::error(QStringLiteral("include:local '%1' matches no file").arg(pattern), where));
            return;
        }
    }
    for (const QString &file : files) {
        const QString path = QDir(m_context.projectDir).filePath(file);
        const QString canonical = QFileInfo(path).canonicalFilePath();
        const QString rootCanonical = QFileInfo(m_context.projectDir).canonicalFilePath();
        if (canonical.isEmpty()) {
            m_problems.push_back(
                Error::error(QStringLiteral("include:local file '%1' does not exist").arg(file), where));
            continue;
        }
        if (!canonical.startsWith(rootCanonical + u'/')) {
            m_problems.push_back(
                Error::error(QStringLiteral("include:local '%1' is outside the project").arg(file), where));
            continue;
        }
        if (m_seen.contains(canonical)) // GitLab: a file included twice is read once
            continue;
        if (++m_fileCount > kMaxFiles) {
            m_problems.push_back(Error::error(QStringLiteral("more than %1 files included").arg(kMaxFiles), where));
            return;
        }
        m_seen << canonical;
        auto document = YamlLoader::load(path, path);
        if (!document) {
            m_problems.push_back(document.error());
            continue;
        }
        m_problems.insert(m_problems.end(), document->warnings.begin(), document->warnings.end());
        const YamlNode *loaded = &document->root;
        if (loaded->isNull())
            continue;
        if (!loaded->isMap()) {
            m_problems.push_back(Error::error(
                QStringLiteral("included file should be a hash, not %1").arg(loaded->typeName()), loaded->location()));
            continue;
        }
        content = YamlNode::deepMerge(content, resolveFile(*loaded, depth + 1));
    }
}

} // namespace trainyard::core
