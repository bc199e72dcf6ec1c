#include "gitlabcireader.h"

#include "hostaccess.h"
#include "secretsource.h"

#include "extendsresolver.h"
#include "includeresolver.h"
#include "jobbuilder.h"
#include "parallelexpander.h"
#include "pipelinevalidator.h"
#include "rulesevaluator.h"
#include "variableexpander.h"
#include "yamlloader.h"

#include <QDir>
#include <QFileInfo>

namespace trainyard::core {

namespace {

const QStringList &defaultKeywords()
{
    static const QStringList keys{
        QStringLiteral("after_script"), QStringLiteral("artifacts"),     QStringLiteral("before_script"),
        QStringLiteral("cache"),        QStringLiteral("hooks"),         QStringLiteral("id_tokens"),
        QStringLiteral("image"),        QStringLiteral("interruptible"), QStringLiteral("retry"),
        QStringLiteral("services"),     QStringLiteral("tags"),          QStringLiteral("timeout")};
    return keys;
}

// What `inherit:` allows a job to take: all, nothing, or the listed names.
struct Inheritance
{
    bool all = true;
    QStringList only;
    bool allows(const QString &key) const { return all || only.contains(key); }
};

Inheritance readInherit(const YamlNode &job, const QString &key)
{
    Inheritance in;
    const YamlNode *inherit = job.find(QStringLiteral("inherit"));
    const YamlNode *value = inherit && inherit->isMap() ? inherit->find(key) : nullptr;
    if (!value)
        return in;
    if (auto b = value->toBool()) {
        in.all = *b;
        return in;
    }
    in.all = false;
    in.only = value->toStringList();
    return in;
}

class Reader
{
public:
    Reader(Pipeline &pipeline, const EvaluationContext &context)
        : m_pipeline(pipeline)
        , m_context(context)
        , m_rules(context, pipeline.problems)
        , m_builder(pipeline.problems)
    {}

    void read(const YamlNode &document)
    {
        if (document.isNull()) {
            m_pipeline.problems.push_back(
                Error::error(QStringLiteral("the file is empty"), SourceLocation{m_pipeline.fileName, 1, 1}));
            return;
        }
        if (!document.isMap()) {
            m_pipeline.problems.push_back(Error::error(
                QStringLiteral("the file should be a hash of keywords and jobs, not %1").arg(document.typeName()),
                document.location()));
            return;
        }
        // Global variables first: include:rules may use them.
        if (const YamlNode *vars = document.find(QStringLiteral("variables")))
            m_pipeline.variables = m_builder.parseVariables(*vars, QStringLiteral("variables"), {});
        QHash<QString, QString> globals = m_context.predefined;
        VariableExpander::addAll(globals, m_pipeline.variables);

        IncludeResolver includes(
            m_context, [&](const YamlNode &rules) { return includeRulesMatch(rules, globals); }, m_pipeline.problems);
        const YamlNode merged = includes.resolve(document);
        ExtendsResolver extends(m_pipeline.problems, includes.unavailable());
        const YamlNode root = extends.resolve(merged);

        if (const YamlNode *vars = root.find(QStringLiteral("variables")))
            m_pipeline.variables = m_builder.parseVariables(*vars, QStringLiteral("variables"), {});
        if (const YamlNode *settings = root.find(QStringLiteral(".trainyard")))
            m_pipeline.trainyard = TrainyardSettings::fromYaml(*settings, m_pipeline.problems);
        readStages(root);
        readDefaults(root);
        readWorkflow(root);

        for (const auto &[key, value] : root.entries()) {
            if (GitlabCiReader::globalKeywords().contains(key))
                continue;
            if (key.startsWith(u'.')) {
                m_pipeline.templates.push_back(key);
                continue;
            }
            if (!value.isMap()) {
                m_pipeline.problems.push_back(Error::error(
                    QStringLiteral("'%1' is not a keyword, so it is a job, but its value is %2, not a hash")
                        .arg(key, value.typeName()),
                    root.keyLocation(key), key));
                continue;
            }
            addJob(key, value, root.keyLocation(key), extends.chains().value(key));
        }
        resolveParallelNeeds();
        PipelineValidator::validate(m_pipeline);
    }

private:
    bool includeRulesMatch(const YamlNode &rules, const QHash<QString, QString> &variables)
    {
        auto match = m_rules.firstMatch(rules, variables);
        return match && match->when.value_or(When::Always) != When::Never;
    }

    void readStages(const YamlNode &root)
    {
        QStringList stages{QStringLiteral("build"), QStringLiteral("test"), QStringLiteral("deploy")};
        if (const YamlNode *s = root.find(QStringLiteral("stages"))) {
            if (s->isSequence() || s->isScalar()) {
                stages = s->toStringList();
            } else {
                m_pipeline.problems.push_back(Error::error(
                    QStringLiteral("stages should be an array of strings, not %1").arg(s->typeName()), s->location()));
            }
        }
        stages.removeAll(QStringLiteral(".pre"));
        stages.removeAll(QStringLiteral(".post"));
        stages.removeDuplicates();
        stages.prepend(QStringLiteral(".pre"));
        stages.append(QStringLiteral(".post"));
        m_pipeline.stages = stages;
    }

    void readDefaults(const YamlNode &root)
    {
        m_defaults = YamlNode::map();
        // Deprecated global keywords act as defaults; `default:` wins over them.
        for (const QString &key : {QStringLiteral("image"), QStringLiteral("services"), QStringLiteral("cache"),
                                   QStringLiteral("before_script"), QStringLiteral("after_script")}) {
            if (const YamlNode *v = root.find(key))
                m_defaults.insert(key, *v);
        }
        if (const YamlNode *d = root.find(QStringLiteral("default"))) {
            if (!d->isMap()) {
                m_pipeline.problems.push_back(Error::error(QStringLiteral("default should be a hash"), d->location()));
                return;
            }
            for (const auto &[key, value] : d->entries()) {
                if (!defaultKeywords().contains(key)) {
                    m_pipeline.problems.push_back(
                        Error::warning(QStringLiteral("default has an unknown key '%1' (known: %2)")
                                           .arg(key, defaultKeywords().join(QStringLiteral(", "))),
                                       d->keyLocation(key)));
                    continue;
                }
                m_defaults.insert(key, value);
            }
        }
    }

    void readWorkflow(const YamlNode &root)
    {
        const YamlNode *workflow = root.find(QStringLiteral("workflow"));
        if (!workflow || !workflow->isMap())
            return;
        const YamlNode *rules = workflow->find(QStringLiteral("rules"));
        if (!rules)
            return;
        QHash<QString, QString> vars = m_context.predefined;
        VariableExpander::addAll(vars, m_pipeline.variables);
        const auto match = m_rules.firstMatch(*rules, vars);
        if (!match) {
            m_pipeline.createdByWorkflow = false;
            m_pipeline.workflowReason =
                QStringLiteral("%1: no workflow:rules entry matches a push pipeline on branch '%2'")
                    .arg(workflow->keyLocation(QStringLiteral("rules")).toString(), m_context.branch);
            return;
        }
        if (match->when == When::Never) {
            m_pipeline.createdByWorkflow = false;
            m_pipeline.workflowReason =
                QStringLiteral("%1: workflow:rules says 'when: never' for a push pipeline on branch '%2'")
                    .arg(match->rule->location().toString(), m_context.branch);
            return;
        }
        // workflow:rules:variables override global variables.
        for (const Variable &v : match->variables) {
            auto it = std::find_if(m_pipeline.variables.begin(), m_pipeline.variables.end(),
                                   [&](const Variable &g) { return g.name == v.name; });
            if (it != m_pipeline.variables.end())
                *it = v;
            else
                m_pipeline.variables.push_back(v);
        }
    }

    YamlNode withDefaults(const YamlNode &config) const
    {
        const Inheritance inherit = readInherit(config, QStringLiteral("default"));
        YamlNode out = config;
        for (const auto &[key, value] : m_defaults.entries()) {
            if (!out.contains(key) && inherit.allows(key))
                out.insert(key, value, value.location());
        }
        return out;
    }

    void addJob(const QString &key, const YamlNode &value, const SourceLocation &keyLocation, const QStringList &chain)
    {
        const YamlNode config = withDefaults(value);
        const Job base = m_builder.build(key, config, keyLocation);
        const bool explicitAllowFailure = config.contains(QStringLiteral("allow_failure"));
        const bool explicitWhen = config.contains(QStringLiteral("when"));

        std::vector<ParallelInstance> instances;
        if (const YamlNode *parallel = config.find(QStringLiteral("parallel"))) {
            instances = ParallelExpander::expand(key, *parallel, m_pipeline.problems);
            if (!instances.empty())
                m_parallelNames.insert(key, [&] {
                    QStringList names;
                    for (const auto &i : instances)
                        names << i.name;
                    return names;
                }());
        }
        if (instances.empty())
            instances.push_back(ParallelInstance{key, 0, 0, {}});

        const Inheritance inheritVars = readInherit(config, QStringLiteral("variables"));
        for (const ParallelInstance &instance : instances) {
            Job job = base;
            job.name = instance.name;
            job.parallelIndex = instance.index;
            job.parallelTotal = instance.total;
            job.extends = chain;
            job.trainyard = m_pipeline.trainyard.jobs.value(key);
            for (const auto &[k, v] : instance.variables)
                job.matrixVariables.insert(k, v);

            QHash<QString, QString> vars = m_context.predefined;
            Variables inherited;
            for (const Variable &g : m_pipeline.variables) {
                if (inheritVars.allows(g.name))
                    inherited.push_back(g);
            }
            VariableExpander::addAll(vars, inherited);
            VariableExpander::addAll(vars, job.variables);
            for (const auto &[k, v] : instance.variables)
                vars.insert(k, v);
            vars.insert(QStringLiteral("CI_JOB_NAME"), job.name);
            vars.insert(QStringLiteral("CI_JOB_STAGE"), job.stage);
            if (instance.total > 0) {
                vars.insert(QStringLiteral("CI_NODE_INDEX"), QString::number(instance.index));
                vars.insert(QStringLiteral("CI_NODE_TOTAL"), QString::number(instance.total));
            }

            if (const YamlNode *rules = config.find(QStringLiteral("rules"))) {
                const auto match = m_rules.firstMatch(*rules, vars, job.name);
                if (!match) {
                    job.when = When::Never;
                } else {
                    job.when = match->when.value_or(explicitWhen ? base.when : When::OnSuccess);
                    if (match->allowFailure) {
                        job.allowFailure = *match->allowFailure;
                        job.allowFailureExitCodes = match->allowFailureExitCodes;
                    } else if (match->when == When::Manual && !explicitAllowFailure) {
                        job.allowFailure = false; // `when: manual` inside rules defaults to allow_failure: false
                    }
                    for (const Variable &v : match->variables)
                        job.variables.push_back(v);
                    if (match->startIn)
                        job.startIn = *match->startIn;
                    if (match->needs)
                        job.needs = m_builder.parseNeeds(*match->needs, job.name);
                }
            } else if (!m_rules.onlyExcept(config.find(QStringLiteral("only")), config.find(QStringLiteral("except")),
                                           vars, job.name)) {
                job.when = When::Never;
            }
            m_pipeline.jobs.push_back(std::move(job));
        }
    }

    // `needs: [build]` on a parallel job means every instance of it.
    void resolveParallelNeeds()
    {
        if (m_parallelNames.isEmpty())
            return;
        auto expand = [&](std::vector<Need> &needs) {
            std::vector<Need> out;
            for (const Need &n : needs) {
                const auto it = m_parallelNames.constFind(n.job);
                if (!n.isLocal() || it == m_parallelNames.constEnd()) {
                    out.push_back(n);
                    continue;
                }
                for (const QString &name : *it) {
                    Need copy = n;
                    copy.job = name;
                    out.push_back(copy);
                }
            }
            needs = std::move(out);
        };
        for (Job &job : m_pipeline.jobs) {
            if (job.needs)
                expand(*job.needs);
            if (job.dependencies) {
                QStringList deps;
                for (const QString &d : *job.dependencies)
                    deps << m_parallelNames.value(d, {d});
                job.dependencies = deps;
            }
        }
    }

    Pipeline &m_pipeline;
    const EvaluationContext &m_context;
    RulesEvaluator m_rules;
    JobBuilder m_builder;
    YamlNode m_defaults;
    QHash<QString, QStringList> m_parallelNames;
};

} // namespace

const QStringList &GitlabCiReader::globalKeywords()
{
    static const QStringList keys{
        QStringLiteral("default"),      QStringLiteral("include"),  QStringLiteral("stages"),
        QStringLiteral("variables"),    QStringLiteral("workflow"), QStringLiteral("image"),
        QStringLiteral("services"),     QStringLiteral("cache"),    QStringLiteral("before_script"),
        QStringLiteral("after_script"), QStringLiteral("types"),    QStringLiteral("spec")};
    return keys;
}

namespace {

/// A pipeline of `fileName` read in `context`, before its jobs: `problems` so far and nothing else.
Pipeline pipelineOf(const QString &fileName, const EvaluationContext &context, std::vector<Error> problems)
{
    Pipeline pipeline;
    pipeline.fileName = fileName;
    pipeline.projectDir = context.projectDir;
    pipeline.branch = context.branch;
    pipeline.problems = std::move(problems);
    return pipeline;
}

} // namespace

Pipeline GitlabCiReader::readText(const QByteArray &text, const QString &fileName, const EvaluationContext &context)
{
    auto document = YamlLoader::read(text, fileName);
    if (!document)
        return pipelineOf(fileName, context, {document.error()});
    return readDocument(document->root, std::move(document->warnings), fileName, context);
}

Pipeline GitlabCiReader::readDocument(const YamlNode &root, std::vector<Error> warnings, const QString &fileName,
                                      const EvaluationContext &context)
{
    Pipeline pipeline = pipelineOf(fileName, context, std::move(warnings));
    // Secrets are the project's CI/CD variables: GitLab expands them in `variables:` and tests
    // them in `rules:`, as it does predefined ones. Their values never leave the evaluation.
    EvaluationContext evaluation = context;
    if (!context.projectDir.isEmpty()) {
        QStringList names;
        if (const YamlNode *settings = root.find(QStringLiteral(".trainyard")))
            if (const YamlNode *secrets = settings->find(QStringLiteral("secrets")))
                names = secrets->toStringList();
        if (auto secrets = SecretSource::load(context.projectDir, names); !secrets)
            pipeline.problems.push_back(secrets.error());
        else
            for (auto it = secrets->values.cbegin(); it != secrets->values.cend(); ++it)
                evaluation.predefined.insert(it.key(), it.value());
    }
    Reader reader(pipeline, evaluation);
    reader.read(root);
    pipeline.dataRoots = context.dataRoots;
    if (!context.projectDir.isEmpty()) {
        // What of this machine the file may reach is decided here, so validate, the window and a
        // run all refuse the same settings, each at its line.
        for (Error &e : HostAccess(context.projectDir, context.dataRoots).check(pipeline.trainyard))
            pipeline.problems.push_back(std::move(e));
        if (auto state = HostAccess::checkStateFolder(context.projectDir); !state)
            pipeline.problems.push_back(state.error());
    }
    return pipeline;
}

Pipeline GitlabCiReader::read(const Options &options)
{
    const QString projectDir = options.projectDir.isEmpty() ? QStringLiteral(".") : options.projectDir;
    const QString file = options.file.isEmpty() ? QStringLiteral(".gitlab-ci.yml") : options.file;
    const QString path = QFileInfo(file).isAbsolute() ? file : QDir(projectDir).filePath(file);
    const EvaluationContext context = EvaluationContext::fromProject(projectDir, options.branch);

    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        Pipeline pipeline;
        pipeline.fileName = path;
        pipeline.projectDir = context.projectDir;
        pipeline.branch = context.branch;
        pipeline.problems.push_back(Error::error(
            QStringLiteral("cannot read the pipeline file: %1").arg(f.errorString()), SourceLocation{path, 0, 0}));
        return pipeline;
    }
    return readText(f.readAll(), path, context);
}

} // namespace trainyard::core
