#include "pipelinelinter.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <optional>

namespace trainyard::core {

namespace {

/// Where `key` is written for this job (after `default:`/`extends`), or the job itself.
SourceLocation keyLocation(const Job &job, const QString &key)
{
    if (job.raw.isMap() && job.raw.contains(key)) {
        SourceLocation loc = job.raw.keyLocation(key);
        if (loc.isValid())
            return loc;
    }
    return job.location;
}

/// True when an image reference names one build: a digest, or a tag other than `latest`.
/// The tag is looked for after the last '/', so a registry port (`host:5000/img`) is no tag.
bool isPinned(const QString &reference)
{
    const qsizetype at = reference.indexOf(u'@');
    if (at >= 0)
        return at + 1 < reference.size();
    const qsizetype slash = reference.lastIndexOf(u'/');
    const qsizetype colon = reference.indexOf(u':', slash + 1);
    if (colon < 0)
        return false;
    const QString tag = reference.mid(colon + 1);
    return !tag.isEmpty() && tag != QLatin1String("latest");
}

/// The variable name when `text` is exactly `$NAME` or `${NAME}`.
QString wholeVariable(const QString &text)
{
    static const QRegularExpression re(
        QStringLiteral("^\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)\\}|([A-Za-z_][A-Za-z0-9_]*))$"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return {};
    return m.captured(1).isEmpty() ? m.captured(2) : m.captured(1);
}

std::optional<QString> variableValue(const Variables &variables, const QString &name)
{
    for (const Variable &v : variables) {
        if (v.name == name)
            return v.value;
    }
    return std::nullopt;
}

/// The image reference a job will pull: the name itself, or the value of the one variable it
/// consists of (matrix, job, then global: the same precedence GitLab gives them). Empty when
/// it still holds a variable we cannot see through, so the linter stays quiet rather than guess.
QString resolveImage(const Pipeline &pipeline, const Job &job, const QString &name)
{
    if (!name.contains(u'$'))
        return name;
    const QString variable = wholeVariable(name);
    if (variable.isEmpty())
        return {};
    std::optional<QString> value;
    if (job.matrixVariables.contains(variable))
        value = job.matrixVariables.value(variable);
    if (!value)
        value = variableValue(job.variables, variable);
    if (!value)
        value = variableValue(pipeline.variables, variable);
    if (!value || value->contains(u'$'))
        return {};
    return value->trimmed();
}

QString describeImage(const QString &written, const QString &resolved)
{
    return written == resolved ? QStringLiteral("'%1'").arg(written)
                               : QStringLiteral("'%1' ('%2')").arg(written, resolved);
}

/// `nvidia-smi` as the command a line runs (after `if`, `!`, `sudo`…), with any path in front.
bool callsNvidiaSmiFirst(const QString &line)
{
    static const QRegularExpression re(
        QStringLiteral("^(?:(?:if|!|sudo|time|command|exec|then)\\s+)*(?:\\S*/)?nvidia-smi(?:$|[\\s;&|)])"));
    return re.match(line).hasMatch();
}

bool mentionsNvidiaSmi(const QString &line)
{
    static const QRegularExpression re(QStringLiteral("(?:^|[\\s;&|(!/])nvidia-smi(?:$|[\\s;&|)])"));
    return re.match(line).hasMatch();
}

/// Lines that cannot waste GPU time, so they may come before the check.
bool isHarmless(const QString &line)
{
    static const QRegularExpression re(QStringLiteral("^(?:echo|printf|set|export|cd|pwd|date|true|:)(?:$|\\s)"));
    return line.isEmpty() || line.startsWith(u'#') || re.match(line).hasMatch();
}

} // namespace

std::vector<Error> PipelineLinter::lint(const Pipeline &pipeline)
{
    std::vector<Error> out;
    checkImagePinning(pipeline, out);
    checkGpuCheck(pipeline, out);
    checkNeededArtifacts(pipeline, out);
    checkDataInputs(pipeline, out);
    checkImageBuilds(pipeline, out);
    checkTrainyardJobs(pipeline, out);
    return out;
}

void PipelineLinter::checkImagePinning(const Pipeline &pipeline, std::vector<Error> &out)
{
    // The seed's rule 1: an automatic pull of a new `latest` once changed an API in production.
    static const QString advice = QStringLiteral("pin a version tag or a digest (never latest)");
    for (const Job &job : pipeline.jobs) {
        const QString image = job.image.name.trimmed();
        if (!image.isEmpty()) {
            const QString resolved = resolveImage(pipeline, job, image);
            if (!resolved.isEmpty() && !isPinned(resolved))
                out.push_back(Error::warning(QStringLiteral("job '%1': image %2 is not pinned; %3")
                                                 .arg(job.name, describeImage(image, resolved), advice),
                                             keyLocation(job, QStringLiteral("image")), job.name));
        }
        for (const Service &service : job.services) {
            const QString name = service.name.trimmed();
            const QString resolved = name.isEmpty() ? QString() : resolveImage(pipeline, job, name);
            if (!resolved.isEmpty() && !isPinned(resolved))
                out.push_back(Error::warning(QStringLiteral("job '%1': service image %2 is not pinned; %3")
                                                 .arg(job.name, describeImage(name, resolved), advice),
                                             keyLocation(job, QStringLiteral("services")), job.name));
        }
    }
}

void PipelineLinter::checkGpuCheck(const Pipeline &pipeline, std::vector<Error> &out)
{
    for (const Job &job : pipeline.jobs) {
        if (!job.needsGpu() || job.isTrigger())
            continue;
        // A multi-line script entry runs line by line, so look at lines, not entries.
        QStringList lines;
        for (const QString &entry : job.beforeScript + job.script) {
            for (const QString &line : entry.split(u'\n'))
                lines << line.trimmed();
        }
        bool checkedFirst = false;
        QString firstWork;
        for (const QString &line : std::as_const(lines)) {
            if (callsNvidiaSmiFirst(line)) {
                checkedFirst = true;
                break;
            }
            if (!isHarmless(line)) {
                firstWork = line;
                break;
            }
        }
        if (checkedFirst)
            continue;
        const bool later = std::any_of(lines.cbegin(), lines.cend(), mentionsNvidiaSmi);
        const QString what = later ? QStringLiteral("calls nvidia-smi only after '%1'").arg(firstWork)
                                   : QStringLiteral("never calls nvidia-smi");
        const SourceLocation where =
            keyLocation(job, job.beforeScript.isEmpty() ? QStringLiteral("script") : QStringLiteral("before_script"));
        out.push_back(Error::warning(
            QStringLiteral("job '%1' runs on a GPU but %2; make nvidia-smi its first command, the defensive check that "
                           "the GPU is visible, so a job that cannot see it fails in seconds instead of after hours of "
                           "training on the CPU")
                .arg(job.name, what),
            where, job.name));
    }
}

void PipelineLinter::checkNeededArtifacts(const Pipeline &pipeline, std::vector<Error> &out)
{
    // By name, found once: a pipeline of thousands of jobs has thousands of needs.
    QHash<QString, const Job *> byName;
    byName.reserve(qsizetype(pipeline.jobs.size()));
    for (const Job &job : pipeline.jobs) {
        if (!byName.contains(job.name)) // the first of a name, as Pipeline::job() finds it
            byName.insert(job.name, &job);
    }
    for (const Job &job : pipeline.jobs) {
        if (job.when == When::Never || !job.needs)
            continue;
        for (const Need &need : *job.needs) {
            if (!need.isLocal() || !need.artifacts)
                continue;
            const Job *target = byName.value(need.job);
            // Missing or uncreated targets are the validator's errors, not a lint.
            if (!target || target->when == When::Never || target->isTrigger() || !target->artifacts.isEmpty())
                continue;
            out.push_back(Error::warning(
                QStringLiteral("job '%1' needs artifacts from '%2', which declares none; add artifacts: paths to '%2' "
                               "so the trained model travels on instead of being retrained, or write "
                               "'needs: [{job: %2, artifacts: false}]' if only the order matters")
                    .arg(job.name, need.job),
                need.location.isValid() ? need.location : job.location, job.name));
        }
    }
}

void PipelineLinter::checkDataInputs(const Pipeline &pipeline, std::vector<Error> &out)
{
    for (const DataInput &input : pipeline.trainyard.data) {
        const bool absolute = QDir::isAbsolutePath(input.path);
        if (!absolute && pipeline.projectDir.isEmpty())
            continue; // nothing to resolve a relative path against
        const QString path = absolute ? input.path : QDir(pipeline.projectDir).filePath(input.path);
        if (QFileInfo::exists(path))
            continue;
        out.push_back(Error::warning(QStringLiteral("data input '%1': path '%2' does not exist (looked for %3); a job "
                                                    "mounting it would train on nothing")
                                         .arg(input.name, input.path, QDir::cleanPath(path)),
                                     input.location));
    }
}

void PipelineLinter::checkImageBuilds(const Pipeline &pipeline, std::vector<Error> &out)
{
    for (const ImageBuild &build : pipeline.trainyard.images) {
        const bool absolute = QDir::isAbsolutePath(build.context);
        if (!absolute && pipeline.projectDir.isEmpty())
            continue;
        const QString context = absolute ? build.context : QDir(pipeline.projectDir).filePath(build.context);
        if (!QFileInfo(context).isDir()) {
            out.push_back(Error::warning(QStringLiteral("image %1: build context '%2' is not a folder (looked for %3); "
                                                        "a run cannot build the image")
                                             .arg(build.tag, build.context, QDir::cleanPath(context)),
                                         build.location));
        } else if (!QFileInfo(QDir(context).filePath(build.dockerfile)).isFile()) {
            out.push_back(Error::warning(QStringLiteral("image %1: no %2 in its build context '%3'")
                                             .arg(build.tag, build.dockerfile, build.context),
                                         build.location));
        }
    }
}

void PipelineLinter::checkTrainyardJobs(const Pipeline &pipeline, std::vector<Error> &out)
{
    QSet<QString> names;
    for (const Job &job : pipeline.jobs)
        names << job.name << job.baseName;
    for (auto it = pipeline.trainyard.jobs.cbegin(); it != pipeline.trainyard.jobs.cend(); ++it) {
        if (names.contains(it.key()))
            continue;
        // The settings keep no position of their own; a gate's is the closest, else the file.
        SourceLocation where{pipeline.fileName, 0, 0};
        for (const auto &gate : it.value().gates) {
            if (gate.location.isValid()) {
                where = gate.location;
                break;
            }
        }
        out.push_back(Error::warning(
            QStringLiteral("'.trainyard: jobs: %1' names no job in this pipeline, so its settings apply to nothing; "
                           "check the spelling against the job names")
                .arg(it.key()),
            where));
    }
}

} // namespace trainyard::core
