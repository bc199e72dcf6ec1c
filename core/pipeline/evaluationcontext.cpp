#include "evaluationcontext.h"

#include "hostaccess.h"

#include "vcs/gitinfo.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>

namespace trainyard::core {

namespace {

// CI_COMMIT_REF_SLUG: lowercased, shortened to 63 bytes, everything but 0-9a-z replaced by '-',
// no leading or trailing '-'.
QString refSlug(const QString &ref)
{
    QString s = ref.toLower().left(63);
    for (QChar &c : s) {
        if (!((c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9')))
            c = u'-';
    }
    while (s.startsWith(u'-'))
        s.remove(0, 1);
    while (s.endsWith(u'-'))
        s.chop(1);
    return s;
}

} // namespace

EvaluationContext EvaluationContext::fromProject(const QString &projectDir, const QString &branchOverride)
{
    EvaluationContext ctx;
    ctx.projectDir = QDir(projectDir).absolutePath();
    ctx.dataRoots = HostAccess::machineRoots();
    QString projectName = QFileInfo(ctx.projectDir).fileName();
    QString projectPath;
    QString title;
    QString message;
    QString author;
    if (auto state = GitInfo::read(ctx.projectDir); state && state->isRepository) {
        ctx.isRepository = true;
        ctx.branch = state->branch;
        ctx.sha = state->sha;
        ctx.defaultBranch = state->defaultBranch.isEmpty() ? QStringLiteral("main") : state->defaultBranch;
        ctx.tag = state->tag;
        projectPath = state->projectPath;
        title = state->title;
        message = state->message;
        author = state->authorName + QStringLiteral(" <") + state->authorEmail + u'>';
        if (!state->root.isEmpty())
            projectName = QFileInfo(state->root).fileName();
    }
    if (!branchOverride.isEmpty())
        ctx.branch = branchOverride;
    if (ctx.branch.isEmpty())
        ctx.branch = ctx.defaultBranch;
    if (projectPath.isEmpty())
        projectPath = QStringLiteral("local/") + projectName;
    if (ctx.sha.isEmpty())
        ctx.sha = QString(40, u'0');

    auto &v = ctx.predefined;
    v.insert(QStringLiteral("CI"), QStringLiteral("true"));
    v.insert(QStringLiteral("GITLAB_CI"), QStringLiteral("false"));
    v.insert(QStringLiteral("TRAINYARD"), QStringLiteral("true"));
    v.insert(QStringLiteral("CI_PIPELINE_SOURCE"), QStringLiteral("push"));
    v.insert(QStringLiteral("CI_COMMIT_BRANCH"), ctx.branch);
    v.insert(QStringLiteral("CI_COMMIT_REF_NAME"), ctx.branch);
    v.insert(QStringLiteral("CI_COMMIT_REF_SLUG"), refSlug(ctx.branch));
    v.insert(QStringLiteral("CI_DEFAULT_BRANCH"), ctx.defaultBranch);
    v.insert(QStringLiteral("CI_COMMIT_SHA"), ctx.sha);
    v.insert(QStringLiteral("CI_COMMIT_SHORT_SHA"), ctx.sha.left(8));
    v.insert(QStringLiteral("CI_COMMIT_BEFORE_SHA"), QString(40, u'0'));
    if (!title.isEmpty())
        v.insert(QStringLiteral("CI_COMMIT_TITLE"), title);
    if (!message.isEmpty())
        v.insert(QStringLiteral("CI_COMMIT_MESSAGE"), message);
    if (!author.trimmed().isEmpty())
        v.insert(QStringLiteral("CI_COMMIT_AUTHOR"), author);
    v.insert(QStringLiteral("CI_PROJECT_NAME"), projectName);
    v.insert(QStringLiteral("CI_PROJECT_PATH"), projectPath);
    v.insert(QStringLiteral("CI_PROJECT_PATH_SLUG"), refSlug(projectPath));
    v.insert(QStringLiteral("CI_PROJECT_NAMESPACE"), projectPath.section(u'/', 0, -2));
    v.insert(QStringLiteral("CI_PROJECT_DIR"), QStringLiteral("/builds/") + projectName);
    v.insert(QStringLiteral("CI_PROJECT_VISIBILITY"), QStringLiteral("private"));
    v.insert(QStringLiteral("CI_SERVER"), QStringLiteral("yes"));
    v.insert(QStringLiteral("CI_SERVER_HOST"), QStringLiteral("localhost"));
    v.insert(QStringLiteral("CI_SERVER_URL"), QStringLiteral("http://localhost"));
    v.insert(QStringLiteral("CI_PIPELINE_ID"), QStringLiteral("1"));
    v.insert(QStringLiteral("CI_PIPELINE_IID"), QStringLiteral("1"));
    return ctx;
}

const QStringList &EvaluationContext::projectFiles() const
{
    if (!m_filesListed) {
        m_filesListed = true;
        const QDir root(projectDir);
        QDirIterator it(projectDir, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString rel = root.relativeFilePath(it.next());
            if (rel.startsWith(QLatin1String(".git/")))
                continue;
            m_projectFiles << rel;
        }
        m_projectFiles.sort();
    }
    return m_projectFiles;
}

const std::optional<QStringList> &EvaluationContext::changedFiles() const
{
    if (!m_changesListed) {
        m_changesListed = true;
        m_changedFiles = changedFilesAgainst(QStringLiteral("refs/remotes/origin/") + defaultBranch);
    }
    return m_changedFiles;
}

std::optional<QStringList> EvaluationContext::changedFilesAgainst(const QString &ref) const
{
    if (!GitInfo::refExists(projectDir, ref))
        return std::nullopt;
    auto files = GitInfo::changedFiles(projectDir, ref);
    if (!files)
        return std::nullopt;
    return *files;
}

} // namespace trainyard::core
