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
#include <QSet>

#include <algorithm>
#include <iterator>
#include <utility>

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

/// Whether `node`, or a hash inside it, has the key `key`.
bool holdsKey(const YamlNode &node, const QString &key)
{
    return node.holds([&](const YamlNode &n) { return n.isMap() && n.contains(key); });
}

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

} // namespace

struct GitlabCiReader::Memo
{
    /// False when an edit cannot be read alone in this document: it has includes (their files
    /// may change) or `!reference`, or reading it found problems with `extends` or the secrets.
    bool rereadable = false;
    EvaluationContext evaluation; ///< the context rules saw (secrets included)
    YamlNode root;                ///< the document with `extends` applied
    YamlNode defaults;            ///< what jobs take from `default:`
    QHash<QString, QStringList> chains;
    QSet<QString> bases; ///< every entry that another extends
    QHash<QString, QStringList> parallelNames;
    std::vector<Error> headProblems; ///< problems found before the first entry was read
    /// Each top-level entry that is not a keyword, in file order: how many jobs it gave and the
    /// problems reading it found.
    struct Entry
    {
        QString key;
        qsizetype jobs = 0;
        std::vector<Error> problems;
    };
    std::vector<Entry> entries;
    QHash<QString, qsizetype> entryIndex;
    /// Each top-level key's line, and the key after it ("" for the last): an edit that moved the
    /// next key moved everything after it, which a reading of one entry does not follow.
    QHash<QString, int> keyLines;
    QHash<QString, QString> nextKey;
};

namespace {

class Reader
{
public:
    Reader(Pipeline &pipeline, const EvaluationContext &context, GitlabCiReader::Memo *memo = nullptr)
        : m_pipeline(pipeline)
        , m_context(context)
        , m_memo(memo)
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
        const size_t problemsBeforeExtends = m_pipeline.problems.size();
        ExtendsResolver extends(m_pipeline.problems, includes.unavailable());
        const YamlNode root = extends.resolve(merged);
        const bool extendsProblems = m_pipeline.problems.size() != problemsBeforeExtends;

        if (const YamlNode *vars = root.find(QStringLiteral("variables")))
            m_pipeline.variables = m_builder.parseVariables(*vars, QStringLiteral("variables"), {});
        if (const YamlNode *settings = root.find(QStringLiteral(".trainyard")))
            m_pipeline.trainyard = TrainyardSettings::fromYaml(*settings, m_pipeline.problems);
        readStages(root);
        readDefaults(root);
        readWorkflow(root);
        if (m_memo)
            startMemo(document, root, extends.chains(), extendsProblems);

        for (const auto &[key, value] : root.entries()) {
            if (GitlabCiReader::globalKeywords().contains(key))
                continue;
            const size_t problemsBefore = m_pipeline.problems.size();
            const size_t jobsBefore = m_pipeline.jobs.size();
            readEntry(key, value, root.keyLocation(key), extends.chains().value(key));
            if (m_memo) {
                m_memo->entryIndex.insert(key, qsizetype(m_memo->entries.size()));
                m_memo->entries.push_back({key, qsizetype(m_pipeline.jobs.size() - jobsBefore),
                                           std::vector<Error>(m_pipeline.problems.begin() + qsizetype(problemsBefore),
                                                              m_pipeline.problems.end())});
            }
        }
        resolveParallelNeeds();
        if (m_memo)
            m_memo->parallelNames = m_parallelNames;
        PipelineValidator::validate(m_pipeline);
    }

    /// Reads the top-level entry `key` alone (`value` with `extends` applied) into m_pipeline,
    /// whose jobs and problems are empty, with what a whole reading of the document kept in `memo`.
    void readEntryAlone(const GitlabCiReader::Memo &memo, const QString &key, const YamlNode &value,
                        const SourceLocation &keyLocation, const QStringList &chain)
    {
        m_defaults = memo.defaults;
        m_parallelNames = memo.parallelNames;
        readEntry(key, value, keyLocation, chain);
        resolveParallelNeeds();
    }

private:
    /// A top-level entry that is not a keyword: a template, or a job (maybe several, parallel).
    void readEntry(const QString &key, const YamlNode &value, const SourceLocation &keyLocation,
                   const QStringList &chain)
    {
        if (key.startsWith(u'.')) {
            m_pipeline.templates.push_back(key);
            return;
        }
        if (!value.isMap()) {
            m_pipeline.problems.push_back(
                Error::error(QStringLiteral("'%1' is not a keyword, so it is a job, but its value is %2, not a hash")
                                 .arg(key, value.typeName()),
                             keyLocation, key));
            return;
        }
        addJob(key, value, keyLocation, chain);
    }

    /// What the memo keeps of the document before its entries are read.
    void startMemo(const YamlNode &document, const YamlNode &root, const QHash<QString, QStringList> &chains,
                   bool extendsProblems)
    {
        // `rules:changes:compare_to` asks git at each reading: a job read before would keep an old answer.
        m_memo->rereadable = m_memo->rereadable && !extendsProblems && !document.contains(QStringLiteral("include")) &&
                             !ExtendsResolver::holdsReference(document) &&
                             !holdsKey(document, QStringLiteral("compare_to"));
        m_memo->evaluation = m_context;
        m_memo->root = root;
        m_memo->defaults = m_defaults;
        m_memo->chains = chains;
        for (const QStringList &chain : chains)
            for (const QString &base : chain)
                m_memo->bases.insert(base);
        m_memo->headProblems = m_pipeline.problems;
        // The key after an entry must be the next one down the file: a top-level `<<` merge gives
        // its keys the anchor's lines, which an edit in between does not move.
        const QString *previous = nullptr;
        int previousLine = 0;
        for (const auto &[key, value] : document.entries()) {
            const int line = document.keyLocation(key).line;
            m_memo->keyLines.insert(key, line);
            if (previous) {
                m_memo->nextKey.insert(*previous, key);
                m_memo->rereadable = m_memo->rereadable && line > previousLine;
            }
            previous = &key;
            previousLine = line;
        }
    }

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
    GitlabCiReader::Memo *m_memo;
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

/// `context` with the project's secrets added: they are its CI/CD variables, which GitLab expands
/// in `variables:` and tests in `rules:` as it does predefined ones. Their values never leave the
/// evaluation. A problem loading them goes to `problems`.
EvaluationContext withSecrets(const YamlNode &root, const EvaluationContext &context, std::vector<Error> &problems)
{
    EvaluationContext evaluation = context;
    if (context.projectDir.isEmpty())
        return evaluation;
    QStringList names;
    if (const YamlNode *settings = root.find(QStringLiteral(".trainyard")))
        if (const YamlNode *secrets = settings->find(QStringLiteral("secrets")))
            names = secrets->toStringList();
    if (auto secrets = SecretSource::load(context.projectDir, names); !secrets)
        problems.push_back(secrets.error());
    else
        for (auto it = secrets->values.cbegin(); it != secrets->values.cend(); ++it)
            evaluation.predefined.insert(it.key(), it.value());
    return evaluation;
}

/// What every reading ends with: the data roots, and what of this machine the file may reach.
void finish(Pipeline &pipeline, const EvaluationContext &context)
{
    pipeline.dataRoots = context.dataRoots;
    if (!context.projectDir.isEmpty()) {
        // What of this machine the file may reach is decided here, so validate, the window and a
        // run all refuse the same settings, each at its line.
        for (Error &e : HostAccess(context.projectDir, context.dataRoots).check(pipeline.trainyard))
            pipeline.problems.push_back(std::move(e));
        if (auto state = HostAccess::checkStateFolder(context.projectDir); !state)
            pipeline.problems.push_back(state.error());
    }
}

/// readDocument(), filling `memo` when there is one.
Pipeline readWith(const YamlNode &root, std::vector<Error> warnings, const QString &fileName,
                  const EvaluationContext &context, GitlabCiReader::Memo *memo)
{
    Pipeline pipeline = pipelineOf(fileName, context, std::move(warnings));
    const size_t problemsBefore = pipeline.problems.size();
    const EvaluationContext evaluation = withSecrets(root, context, pipeline.problems);
    if (memo)
        memo->rereadable = pipeline.problems.size() == problemsBefore;
    Reader reader(pipeline, evaluation, memo);
    reader.read(root);
    finish(pipeline, context);
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
    return readWith(root, std::move(warnings), fileName, context, nullptr);
}

Pipeline GitlabCiReader::readDocument(const YamlNode &root, std::vector<Error> warnings, const QString &fileName,
                                      const EvaluationContext &context, std::shared_ptr<Memo> &memo)
{
    auto next = std::make_shared<Memo>();
    Pipeline pipeline = readWith(root, std::move(warnings), fileName, context, next.get());
    memo = std::move(next);
    return pipeline;
}

bool GitlabCiReader::rereadEntry(Pipeline &pipeline, Memo &memo, const YamlNode &root, const QString &key,
                                 const EvaluationContext &context)
{
    const auto at = memo.entryIndex.constFind(key);
    if (!memo.rereadable || at == memo.entryIndex.constEnd() || key.startsWith(u'.') || memo.bases.contains(key) ||
        memo.parallelNames.contains(key))
        return false;
    const YamlNode *value = root.find(key);
    if (!value || !value->isMap() || root.keyLocation(key).line != memo.keyLines.value(key, -1))
        return false;
    if (const auto next = memo.nextKey.constFind(key);
        next != memo.nextKey.constEnd() && root.keyLocation(*next).line != memo.keyLines.value(*next, -1))
        return false; // the edit gained or lost lines: every later position moved
    std::vector<Error> secretProblems;
    const EvaluationContext evaluation = withSecrets(root, context, secretProblems);
    if (!secretProblems.empty() || evaluation.predefined != memo.evaluation.predefined)
        return false;
    auto extended = ExtendsResolver::resolveEntry(memo.root, memo.chains, key, *value);
    if (!extended || extended->node.contains(QStringLiteral("parallel")) ||
        holdsKey(extended->node, QStringLiteral("compare_to")))
        return false;

    // The entry's jobs and problems, read as a whole reading reads them.
    Pipeline alone = pipelineOf(pipeline.fileName, context, {});
    alone.variables = pipeline.variables;
    alone.trainyard = pipeline.trainyard;
    Reader(alone, evaluation).readEntryAlone(memo, key, extended->node, root.keyLocation(key), extended->chain);

    Memo::Entry &entry = memo.entries[size_t(*at)];
    qsizetype first = 0;
    for (qsizetype i = 0; i < *at; ++i)
        first += memo.entries[size_t(i)].jobs;
    const auto begin = pipeline.jobs.begin() + first;
    pipeline.jobs.erase(begin, begin + entry.jobs);
    pipeline.jobs.insert(pipeline.jobs.begin() + first, std::make_move_iterator(alone.jobs.begin()),
                         std::make_move_iterator(alone.jobs.end()));
    entry.jobs = qsizetype(alone.jobs.size());
    entry.problems = std::move(alone.problems);

    memo.root.insert(key, extended->node, root.keyLocation(key));
    if (extended->chain.isEmpty())
        memo.chains.remove(key);
    else
        memo.chains.insert(key, extended->chain);
    for (const QString &base : std::as_const(extended->chain))
        memo.bases.insert(base);

    pipeline.problems = memo.headProblems;
    for (const Memo::Entry &e : memo.entries)
        pipeline.problems.insert(pipeline.problems.end(), e.problems.begin(), e.problems.end());
    PipelineValidator::validate(pipeline);
    finish(pipeline, context);
#ifndef NDEBUG
    // Debug builds (the tests') check every such reading against a whole reading.
    const Pipeline whole = readDocument(root, {}, pipeline.fileName, context);
    Q_ASSERT_X(whole.jobs == pipeline.jobs && whole.problems == pipeline.problems, "GitlabCiReader::rereadEntry",
               qPrintable(QStringLiteral("differs from reading the whole document, at '%1'").arg(key)));
#endif
    return true;
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
