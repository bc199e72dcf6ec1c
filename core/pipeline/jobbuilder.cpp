#include "jobbuilder.h"

#include <QDir>

#include "parallelexpander.h"

namespace trainyard::core {

const QStringList &JobBuilder::jobKeywords()
{
    static const QStringList keys{
        QStringLiteral("after_script"),
        QStringLiteral("allow_failure"),
        QStringLiteral("artifacts"),
        QStringLiteral("before_script"),
        QStringLiteral("cache"),
        QStringLiteral("coverage"),
        QStringLiteral("dast_configuration"),
        QStringLiteral("dependencies"),
        QStringLiteral("environment"),
        QStringLiteral("except"),
        QStringLiteral("extends"),
        QStringLiteral("hooks"),
        QStringLiteral("identity"),
        QStringLiteral("id_tokens"),
        QStringLiteral("image"),
        QStringLiteral("inherit"),
        QStringLiteral("interruptible"),
        QStringLiteral("manual_confirmation"),
        QStringLiteral("needs"),
        QStringLiteral("only"),
        QStringLiteral("pages"),
        QStringLiteral("parallel"),
        QStringLiteral("release"),
        QStringLiteral("resource_group"),
        QStringLiteral("retry"),
        QStringLiteral("rules"),
        QStringLiteral("run"),
        QStringLiteral("script"),
        QStringLiteral("secrets"),
        QStringLiteral("services"),
        QStringLiteral("stage"),
        QStringLiteral("start_in"),
        QStringLiteral("tags"),
        QStringLiteral("timeout"),
        QStringLiteral("trigger"),
        QStringLiteral("variables"),
        QStringLiteral("when"),
        QStringLiteral("description"),
        QStringLiteral("artifact"),
    };
    return keys;
}

void JobBuilder::typeError(const YamlNode &node, const QString &key, const QString &expected, const QString &job)
{
    m_problems.push_back(
        Error::error(QStringLiteral("job '%1': %2 should be %3, not %4").arg(job, key, expected, node.typeName()),
                     node.location(), job));
}

QStringList JobBuilder::scriptLines(const YamlNode &node, const QString &key, const QString &job)
{
    if (node.isMap()) {
        typeError(node, key, QStringLiteral("a string or an array of strings"), job);
        return {};
    }
    if (node.isSequence()) {
        for (const auto &item : node.items()) {
            if (item.isMap()) {
                typeError(item, key + QStringLiteral(" entry"), QStringLiteral("a string"), job);
                return {};
            }
        }
    }
    return node.toStringList();
}

QStringList JobBuilder::stringList(const YamlNode &node, const QString &key, const QString &job)
{
    if (node.isNull())
        return {};
    if (node.isScalar())
        return {node.text()};
    if (!node.isSequence()) {
        typeError(node, key, QStringLiteral("an array of strings"), job);
        return {};
    }
    QStringList out;
    for (const auto &item : node.items()) {
        if (item.isMap()) {
            typeError(item, key + QStringLiteral(" entry"), QStringLiteral("a string"), job);
            continue;
        }
        out << item.toStringList();
    }
    return out;
}

Image JobBuilder::parseImage(const YamlNode &node, const QString &job)
{
    Image image;
    if (node.isScalar()) {
        image.name = node.text();
    } else if (node.isMap()) {
        if (const YamlNode *n = node.find(QStringLiteral("name")))
            image.name = n->text();
        else
            m_problems.push_back(
                Error::error(QStringLiteral("job '%1': image needs a name").arg(job), node.location(), job));
        if (const YamlNode *e = node.find(QStringLiteral("entrypoint")))
            image.entrypoint = e->toStringList();
        if (const YamlNode *p = node.find(QStringLiteral("pull_policy")))
            image.pullPolicy = p->toStringList().join(u',');
    } else if (!node.isNull()) {
        typeError(node, QStringLiteral("image"), QStringLiteral("a string or a hash"), job);
    }
    return image;
}

Variables JobBuilder::parseVariables(const YamlNode &node, const QString &where, const QString &job)
{
    Variables vars;
    if (node.isNull())
        return vars;
    if (!node.isMap()) {
        m_problems.push_back(
            Error::error(QStringLiteral("%1 should be a hash of names and values, not %2").arg(where, node.typeName()),
                         node.location(), job));
        return vars;
    }
    for (const auto &[name, value] : node.entries()) {
        Variable v;
        v.name = name;
        if (value.isScalar() || value.isNull()) {
            v.value = value.text();
        } else if (value.isMap()) {
            if (const YamlNode *val = value.find(QStringLiteral("value")))
                v.value = val->text();
            if (const YamlNode *d = value.find(QStringLiteral("description")))
                v.description = d->text();
            if (const YamlNode *e = value.find(QStringLiteral("expand")))
                v.expand = e->toBool().value_or(true);
        } else {
            m_problems.push_back(Error::error(
                QStringLiteral("%1: variable '%2' should be a string, a number or a hash").arg(where, name),
                value.location(), job));
            continue;
        }
        vars.push_back(v);
    }
    return vars;
}

std::optional<std::vector<Need>> JobBuilder::parseNeeds(const YamlNode &node, const QString &job)
{
    if (node.isNull())
        return std::vector<Need>{};
    if (!node.isSequence()) {
        typeError(node, QStringLiteral("needs"), QStringLiteral("an array"), job);
        return std::nullopt;
    }
    std::vector<Need> needs;
    for (const auto &item : node.items()) {
        Need need;
        need.location = item.location();
        if (item.isScalar()) {
            need.job = item.text();
        } else if (item.isMap()) {
            const YamlNode *j = item.find(QStringLiteral("job"));
            const YamlNode *p = item.find(QStringLiteral("pipeline"));
            if (!j && !p) {
                m_problems.push_back(
                    Error::error(QStringLiteral("job '%1': a needs entry needs 'job' or 'pipeline'").arg(job),
                                 item.location(), job));
                continue;
            }
            if (j)
                need.job = j->text();
            if (p)
                need.pipeline = p->text();
            if (const YamlNode *pr = item.find(QStringLiteral("project")))
                need.project = pr->text();
            if (const YamlNode *a = item.find(QStringLiteral("artifacts"))) {
                if (auto b = a->toBool())
                    need.artifacts = *b;
                else
                    typeError(*a, QStringLiteral("needs:artifacts"), QStringLiteral("a boolean"), job);
            }
            if (const YamlNode *o = item.find(QStringLiteral("optional"))) {
                if (auto b = o->toBool())
                    need.optional = *b;
                else
                    typeError(*o, QStringLiteral("needs:optional"), QStringLiteral("a boolean"), job);
            }
        } else {
            typeError(item, QStringLiteral("needs entry"), QStringLiteral("a string or a hash"), job);
            continue;
        }
        // `needs: [{job: build, parallel: {matrix: [...]}}]` names some instances of a matrix job.
        const YamlNode *parallel = item.isMap() ? item.find(QStringLiteral("parallel")) : nullptr;
        const YamlNode *matrix = parallel && parallel->isMap() ? parallel->find(QStringLiteral("matrix")) : nullptr;
        if (matrix) {
            for (const ParallelInstance &instance : ParallelExpander::expandMatrix(need.job, *matrix, m_problems)) {
                Need one = need;
                one.job = instance.name;
                needs.push_back(one);
            }
            continue;
        }
        needs.push_back(need);
    }
    return needs;
}

void JobBuilder::checkInsideWorkspace(const YamlNode &paths, const QString &key, const QString &job)
{
    // Artifacts are collected from inside the job's workspace: `trainyard run` refuses these
    // before any job starts. GitLab runs them (and warns when the job ends), so a warning here.
    const std::vector<YamlNode> items = paths.isSequence() ? paths.items() : std::vector<YamlNode>{paths};
    for (const YamlNode &item : items) {
        if (!item.isScalar())
            continue;
        const QString path = item.text();
        const QString clean = QDir::cleanPath(path);
        if (QDir::isAbsolutePath(path) || clean == QLatin1String("..") || clean.startsWith(QLatin1String("../")))
            m_problems.push_back(Error::warning(
                QStringLiteral("job '%1': %2 entry '%3' is outside the job's workspace; artifacts are collected from "
                               "inside it (a path relative to the project), and trainyard run refuses it")
                    .arg(job, key, path),
                item.location(), job));
    }
}

Artifacts JobBuilder::parseArtifacts(const YamlNode &node, const QString &job)
{
    Artifacts a;
    if (node.isNull())
        return a;
    if (!node.isMap()) {
        typeError(node, QStringLiteral("artifacts"), QStringLiteral("a hash"), job);
        return a;
    }
    if (const YamlNode *p = node.find(QStringLiteral("paths"))) {
        a.paths = stringList(*p, QStringLiteral("artifacts:paths"), job);
        checkInsideWorkspace(*p, QStringLiteral("artifacts:paths"), job);
    }
    if (const YamlNode *e = node.find(QStringLiteral("exclude")))
        a.exclude = stringList(*e, QStringLiteral("artifacts:exclude"), job);
    if (const YamlNode *e = node.find(QStringLiteral("expire_in")))
        a.expireIn = e->text();
    if (const YamlNode *n = node.find(QStringLiteral("name")))
        a.name = n->text();
    if (const YamlNode *u = node.find(QStringLiteral("untracked")))
        a.untracked = u->toBool().value_or(false);
    if (const YamlNode *w = node.find(QStringLiteral("when"))) {
        a.when = w->text();
        if (a.when != QLatin1String("on_success") && a.when != QLatin1String("on_failure") &&
            a.when != QLatin1String("always"))
            m_problems.push_back(Error::error(
                QStringLiteral("job '%1': artifacts:when should be on_success, on_failure or always").arg(job),
                w->location(), job));
    }
    if (const YamlNode *r = node.find(QStringLiteral("reports")))
        a.reports = *r;
    return a;
}

void JobBuilder::parseRetry(const YamlNode &node, Job &job)
{
    const YamlNode *max = &node;
    if (node.isMap()) {
        max = node.find(QStringLiteral("max"));
        if (const YamlNode *w = node.find(QStringLiteral("when")))
            job.retry.when = w->toStringList();
        if (const YamlNode *c = node.find(QStringLiteral("exit_codes")))
            for (const QString &code : c->toStringList())
                job.retry.exitCodes << code.toInt();
        if (!max)
            return;
    }
    const auto n = max->toInt();
    if (!n || *n < 0 || *n > 2) {
        m_problems.push_back(Error::error(QStringLiteral("job '%1': retry should be 0, 1 or 2").arg(job.name),
                                          max->location(), job.name));
        return;
    }
    job.retry.max = static_cast<int>(*n);
}

void JobBuilder::parseAllowFailure(const YamlNode &node, Job &job)
{
    if (auto b = node.toBool()) {
        job.allowFailure = *b;
        return;
    }
    if (node.isMap() && node.contains(QStringLiteral("exit_codes"))) {
        job.allowFailure = false; // only the listed exit codes are allowed to fail
        for (const QString &c : node.find(QStringLiteral("exit_codes"))->toStringList())
            job.allowFailureExitCodes << c.toInt();
        return;
    }
    typeError(node, QStringLiteral("allow_failure"), QStringLiteral("a boolean or a hash with exit_codes"), job.name);
}

void JobBuilder::warnUnknownKeys(const YamlNode &config, const QString &job)
{
    for (const QString &key : config.keys()) {
        if (!jobKeywords().contains(key))
            m_problems.push_back(Error::warning(QStringLiteral("job '%1' has an unknown key '%2'").arg(job, key),
                                                config.keyLocation(key), job));
    }
}

void JobBuilder::parseStage(const YamlNode &node, Job &job)
{
    if (node.isScalar()) {
        job.stage = node.text();
        job.stageLocation = node.location();
    } else {
        typeError(node, QStringLiteral("stage"), QStringLiteral("a string"), job.name);
    }
}

void JobBuilder::parseServices(const YamlNode &node, Job &job)
{
    const QString &name = job.name;
    const std::vector<YamlNode> items = node.isSequence() ? node.items() : std::vector<YamlNode>{};
    if (!node.isSequence() && !node.isNull())
        typeError(node, QStringLiteral("services"), QStringLiteral("an array"), name);
    for (const auto &item : items) {
        Service svc;
        if (item.isMap()) {
            const Image img = parseImage(item, name);
            svc.name = img.name;
            svc.entrypoint = img.entrypoint;
            if (const YamlNode *a = item.find(QStringLiteral("alias")))
                svc.alias = a->text();
            if (const YamlNode *c = item.find(QStringLiteral("command")))
                svc.command = c->toStringList();
            if (const YamlNode *v = item.find(QStringLiteral("variables")))
                for (const Variable &var : parseVariables(*v, QStringLiteral("services:variables"), name))
                    svc.variables.insert(var.name, var.value);
        } else {
            svc.name = item.text();
        }
        svc.location = item.location();
        job.services.push_back(svc);
    }
}

void JobBuilder::parseWhen(const YamlNode &node, Job &job)
{
    if (auto w = whenFromString(node.text()); w && node.isScalar()) {
        job.when = *w;
        if (job.when == When::Manual)
            job.allowFailure = true; // GitLab: a job-level manual job may fail by default
    } else {
        m_problems.push_back(
            Error::error(QStringLiteral("job '%1': when should be one of on_success, on_failure, always, "
                                        "manual, delayed, never; not '%2'")
                             .arg(job.name, node.text()),
                         node.location(), job.name));
    }
}

void JobBuilder::parseInterruptible(const YamlNode &node, Job &job)
{
    if (auto b = node.toBool())
        job.interruptible = *b;
    else
        typeError(node, QStringLiteral("interruptible"), QStringLiteral("a boolean"), job.name);
}

void JobBuilder::checkRulesAndScript(const YamlNode &config, const Job &job, const SourceLocation &keyLocation)
{
    const QString &name = job.name;
    if (job.hasRules && (config.contains(QStringLiteral("only")) || config.contains(QStringLiteral("except"))))
        m_problems.push_back(
            Error::error(QStringLiteral("job '%1': rules cannot be used together with only/except").arg(name),
                         config.keyLocation(QStringLiteral("rules")), name));

    const bool hasScript = config.contains(QStringLiteral("script")) || config.contains(QStringLiteral("run"));
    if (!hasScript && !job.isTrigger())
        m_problems.push_back(Error::error(
            QStringLiteral("job '%1' has no script: a job needs script (or trigger)").arg(name), keyLocation, name));
}

Job JobBuilder::build(const QString &name, const YamlNode &config, const SourceLocation &keyLocation)
{
    Job job;
    job.name = name;
    job.baseName = name;
    job.location = keyLocation;
    job.raw = config;

    warnUnknownKeys(config, name);
    if (const YamlNode *s = config.find(QStringLiteral("stage")))
        parseStage(*s, job);
    if (const YamlNode *n = config.find(QStringLiteral("image")))
        job.image = parseImage(*n, name);
    if (const YamlNode *n = config.find(QStringLiteral("services")))
        parseServices(*n, job);
    if (const YamlNode *n = config.find(QStringLiteral("before_script")))
        job.beforeScript = scriptLines(*n, QStringLiteral("before_script"), name);
    if (const YamlNode *n = config.find(QStringLiteral("script")))
        job.script = scriptLines(*n, QStringLiteral("script"), name);
    if (const YamlNode *n = config.find(QStringLiteral("after_script")))
        job.afterScript = scriptLines(*n, QStringLiteral("after_script"), name);
    if (const YamlNode *n = config.find(QStringLiteral("variables")))
        job.variables = parseVariables(*n, QStringLiteral("job '%1' variables").arg(name), name);
    if (const YamlNode *n = config.find(QStringLiteral("needs")))
        job.needs = parseNeeds(*n, name);
    if (const YamlNode *n = config.find(QStringLiteral("dependencies")))
        job.dependencies = stringList(*n, QStringLiteral("dependencies"), name);
    if (const YamlNode *n = config.find(QStringLiteral("artifacts")))
        job.artifacts = parseArtifacts(*n, name);
    if (const YamlNode *n = config.find(QStringLiteral("cache")))
        job.cache = *n;
    if (const YamlNode *n = config.find(QStringLiteral("tags")))
        job.tags = stringList(*n, QStringLiteral("tags"), name);
    if (const YamlNode *n = config.find(QStringLiteral("when")))
        parseWhen(*n, job);
    if (const YamlNode *n = config.find(QStringLiteral("allow_failure")))
        parseAllowFailure(*n, job);
    if (const YamlNode *n = config.find(QStringLiteral("start_in")))
        job.startIn = n->text();
    if (job.when == When::Delayed && job.startIn.isEmpty() && !config.contains(QStringLiteral("rules")))
        m_problems.push_back(
            Error::error(QStringLiteral("job '%1': when: delayed needs start_in").arg(name), keyLocation, name));
    if (const YamlNode *n = config.find(QStringLiteral("retry")))
        parseRetry(*n, job);
    if (const YamlNode *n = config.find(QStringLiteral("timeout")))
        job.timeout = n->text();
    if (const YamlNode *n = config.find(QStringLiteral("interruptible")))
        parseInterruptible(*n, job);
    if (const YamlNode *n = config.find(QStringLiteral("resource_group")))
        job.resourceGroup = n->text();
    if (const YamlNode *n = config.find(QStringLiteral("environment")))
        job.environment = *n;
    if (const YamlNode *n = config.find(QStringLiteral("trigger")))
        job.trigger = *n;
    job.hasRules = config.contains(QStringLiteral("rules"));
    checkRulesAndScript(config, job, keyLocation);
    return job;
}

} // namespace trainyard::core
