// Provenance (upstream of an artifact, reverse lineage), the release checklist, sign-off
// staleness, and the exports: Markdown, HTML, and an in-toto/SLSA v1 statement checked against
// the required fields in tests/data/lineage/intoto-slsa-provenance-v1.schema.json.
#include "lineage/dataversioner.h"
#include "lineage/effectivevariables.h"
#include "lineage/lineagestore.h"
#include "lineage/provenance.h"
#include "lineage/provenanceexport.h"
#include "lineage/releasereview.h"

#include "lineagesample.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace trainyard::core;
using trainyard::test::hex64;
using trainyard::test::SampleRun;

namespace {

const QString kCommitA = QStringLiteral("a1") + QString(38, u'0');
const QString kCommitB = QStringLiteral("b2") + QString(38, u'0');

struct Fixture
{
    QTemporaryDir dir;
    std::unique_ptr<LineageStore> store;
    SampleRun a, b;
    Fixture()
    {
        store = std::move(*LineageStore::open(dir.filePath(QStringLiteral("lineage.db"))));
        a = trainyard::test::writeSampleRun(*store, QStringLiteral("20240501-120000-00a1"), kCommitA, hex64('1'),
                                            hex64('5'));
        b = trainyard::test::writeSampleRun(*store, QStringLiteral("20240501-120000-00b2"), kCommitB, hex64('2'),
                                            hex64('6'));
    }
    ArtifactProvenance provenanceOf(const QString &target, const QString &run = {}) const
    {
        const Provenance p(*store);
        auto artifact = p.resolveArtifact(target, run);
        if (!artifact)
            qFatal("%s", qPrintable(artifact.error().toString()));
        return *p.ofArtifact(*artifact);
    }
};

QStringList jobKeys(const std::vector<LineageJob> &jobs)
{
    QStringList out;
    for (const LineageJob &j : jobs)
        out << j.runId.right(2) + u'/' + j.name;
    return out;
}

QStringList artifactKeys(const std::vector<LineageArtifact> &artifacts)
{
    QStringList out;
    for (const LineageArtifact &a : artifacts)
        out << a.runId.right(2) + u'/' + a.path;
    out.sort();
    return out;
}

// --- a small JSON-schema checker: enough of draft-07 for the schema file above ---

class SchemaChecker
{
public:
    explicit SchemaChecker(QJsonObject root)
        : m_root(std::move(root))
    {}
    QStringList check(const QJsonValue &value) { return check(value, m_root, QStringLiteral("$")); }

private:
    QStringList check(const QJsonValue &v, QJsonObject schema, const QString &at)
    {
        QStringList errors;
        if (schema.contains(QStringLiteral("$ref"))) {
            const QString name = schema.value(QStringLiteral("$ref")).toString().section(u'/', -1);
            schema = m_root.value(QStringLiteral("definitions")).toObject().value(name).toObject();
        }
        if (schema.contains(QStringLiteral("const")) && v != schema.value(QStringLiteral("const")))
            errors << at + QStringLiteral(": must be ") + schema.value(QStringLiteral("const")).toString();
        const QString type = schema.value(QStringLiteral("type")).toString();
        const bool typeOk =
            type.isEmpty() || (type == QLatin1String("object") && v.isObject()) ||
            (type == QLatin1String("array") && v.isArray()) || (type == QLatin1String("string") && v.isString()) ||
            (type == QLatin1String("boolean") && v.isBool()) || (type == QLatin1String("number") && v.isDouble());
        if (!typeOk)
            return errors << at + QStringLiteral(": must be a ") + type;
        if (v.isString() && schema.contains(QStringLiteral("pattern")) &&
            !QRegularExpression(schema.value(QStringLiteral("pattern")).toString()).match(v.toString()).hasMatch())
            errors << at + QStringLiteral(": '%1' does not match %2")
                               .arg(v.toString(), schema.value(QStringLiteral("pattern")).toString());
        if (v.isArray()) {
            const QJsonArray a = v.toArray();
            if (a.size() < schema.value(QStringLiteral("minItems")).toInt(0))
                errors << at + QStringLiteral(": too few items");
            if (schema.contains(QStringLiteral("items"))) {
                for (int i = 0; i < a.size(); ++i)
                    errors << check(a[i], schema.value(QStringLiteral("items")).toObject(),
                                    QStringLiteral("%1[%2]").arg(at).arg(i));
            }
        }
        if (v.isObject()) {
            const QJsonObject o = v.toObject();
            for (const QJsonValue &r : schema.value(QStringLiteral("required")).toArray()) {
                if (!o.contains(r.toString()))
                    errors << at + QStringLiteral(": missing required '%1'").arg(r.toString());
            }
            if (o.size() < schema.value(QStringLiteral("minProperties")).toInt(0))
                errors << at + QStringLiteral(": too few properties");
            const QJsonObject props = schema.value(QStringLiteral("properties")).toObject();
            for (auto it = o.begin(); it != o.end(); ++it) {
                const QString child = at + u'.' + it.key();
                if (props.contains(it.key()))
                    errors << check(it.value(), props.value(it.key()).toObject(), child);
                else if (schema.value(QStringLiteral("additionalProperties")).isObject())
                    errors << check(it.value(), schema.value(QStringLiteral("additionalProperties")).toObject(), child);
            }
            if (schema.contains(QStringLiteral("anyOf"))) {
                bool any = false;
                for (const QJsonValue &alt : schema.value(QStringLiteral("anyOf")).toArray())
                    any = any || check(v, alt.toObject(), at).isEmpty();
                if (!any)
                    errors << at + QStringLiteral(": matches none of anyOf");
            }
        }
        return errors;
    }

    QJsonObject m_root;
};

QJsonObject loadSchema()
{
    QFile f(QStringLiteral(TRAINYARD_TEST_DATA "/lineage/intoto-slsa-provenance-v1.schema.json"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("no schema file");
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace

class tst_Provenance final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void effectiveVariablesOfAJob();
    void upstreamOfAnArtifact();
    void upstreamStopsAtTheArtifactsJob();
    void metricsBesideTheGates();
    void upstreamThroughAReusedJob();
    void resolveArtifact();
    void runLineage();
    void usesData();
    void usesImage();
    void usesCommit();
    void usesArtifact();
    void usesFollowsRetries();
    void usesRejectsGarbage();
    void usesShortHashes();
    void checklistAllPassed();
    void checklistImagesScanned();
    void checklistFailures_data();
    void checklistFailures();
    void reproducibility();
    void signOffStaleness();
    void signOffOfAnotherRunWithTheSameBytes();
    void markdownAndHtml();
    void inTotoStatementHasTheRequiredFields();
    void schemaCheckerCatchesMissingFields();
    void renderPicksTheFormat();
};

void tst_Provenance::effectiveVariablesOfAJob()
{
    const QString run = QStringLiteral("r1");
    const std::vector<LineageVariable> recorded{
        {run, QString(), QStringLiteral("EPOCHS"), QStringLiteral("30")},
        {run, QString(), QStringLiteral("SEED"), QStringLiteral("42")},
        {run, QStringLiteral("train"), QStringLiteral("EPOCHS"), QStringLiteral("20")},
        {run, QStringLiteral("train"), QStringLiteral("LR"), QStringLiteral("0.1")},
        {run, QStringLiteral("train"), QStringLiteral("SEED"), QStringLiteral("42")}, // the same value again
        {run, QStringLiteral("other"), QStringLiteral("EPOCHS"), QStringLiteral("99")},
        {QStringLiteral("r2"), QString(), QStringLiteral("EPOCHS"), QStringLiteral("1")}};
    const auto vars = effectiveVariables(recorded, run, QStringLiteral("train"));
    QCOMPARE(vars.size(), size_t(3)); // EPOCHS once, not "EPOCHS=30 … EPOCHS=20"
    QCOMPARE(vars[0].name, QStringLiteral("EPOCHS"));
    QCOMPARE(vars[0].value, QStringLiteral("20"));
    QCOMPARE(vars[0].origin, EffectiveVariable::Origin::Job);
    QCOMPARE(vars[0].overridden, std::optional(QStringLiteral("30")));
    QCOMPARE(vars[1].name, QStringLiteral("LR"));
    QCOMPARE(vars[1].overridden, std::nullopt);
    QCOMPARE(vars[2].name, QStringLiteral("SEED"));
    QCOMPARE(vars[2].value, QStringLiteral("42"));
    QCOMPARE(vars[2].overridden, std::nullopt); // set twice to the same value: nothing was overridden
    const auto evaluate = effectiveVariables(recorded, run, QStringLiteral("evaluate"));
    QCOMPARE(evaluate.size(), size_t(2));
    QCOMPARE(evaluate[0].value, QStringLiteral("30"));
    QCOMPARE(evaluate[0].origin, EffectiveVariable::Origin::Pipeline);
}

void tst_Provenance::upstreamOfAnArtifact()
{
    Fixture f;
    const ArtifactProvenance p = f.provenanceOf(QStringLiteral("export/model.tar"), f.a.runId);
    QCOMPARE(p.artifact.sha256, f.a.exportSha);
    QCOMPARE(p.run().id, f.a.runId);
    QCOMPARE(jobKeys(p.jobs), (QStringList{QStringLiteral("a1/export"), QStringLiteral("a1/evaluate"),
                                           QStringLiteral("a1/train"), QStringLiteral("a1/prepare")}));
    QCOMPARE(p.commits.size(), size_t(1));
    QCOMPARE(p.commits.front().sha, kCommitA);
    QCOMPARE(p.images.size(), size_t(2));
    QCOMPARE(p.data.size(), size_t(1));
    QCOMPARE(p.data.front().hash, hex64('1'));
    QCOMPARE(p.inputs.size(), size_t(3)); // clean.csv into train, the model into evaluate and export
    QCOMPARE(p.gates.size(), size_t(1));
    QCOMPARE(p.gates.front().job, QStringLiteral("evaluate"));
    QCOMPARE(p.scalars.size(), size_t(2));
    QCOMPARE(p.variables.size(), size_t(2));
    // Nothing of run B leaks in.
    for (const LineageJob &j : p.jobs)
        QCOMPARE(j.runId, f.a.runId);
}

void tst_Provenance::metricsBesideTheGates()
{
    Fixture f;
    const ArtifactProvenance before = f.provenanceOf(QStringLiteral("export/model.tar"), f.a.runId);
    QVERIFY(before.metrics.empty());
    // Lineage recorded without metrics keeps its fingerprint: its sign-offs stay current.
    QVERIFY(!before.toJson().contains(QStringLiteral("metrics")));

    const QString evaluate = QStringLiteral("evaluate");
    QVERIFY(f.store->recordMetrics(f.a.runId, evaluate,
                                   {LineageMetric{f.a.runId, evaluate, QStringLiteral("held_out_accuracy"), 0.885,
                                                  QStringLiteral("metrics.txt")}}));
    QVERIFY(f.store->recordMetrics(f.b.runId, evaluate,
                                   {LineageMetric{f.b.runId, evaluate, QStringLiteral("held_out_accuracy"), 0.88,
                                                  QStringLiteral("metrics.txt")}}));
    const ArtifactProvenance after = f.provenanceOf(QStringLiteral("export/model.tar"), f.a.runId);
    QCOMPARE(after.metrics.size(), size_t(1)); // run B's stays out
    QCOMPARE(after.metrics.front().value, 0.885);
    QVERIFY(after.fingerprint() != before.fingerprint());

    // The review lists them next to the gates.
    const QString markdown = ProvenanceExport::markdown(after, ReleaseReview::checklist(after), {});
    QVERIFY2(markdown.contains(QStringLiteral("Metrics reported in files")), qPrintable(markdown));
    QVERIFY(markdown.indexOf(QStringLiteral("held_out_accuracy")) > markdown.indexOf(QStringLiteral("Gates")));

    const auto run = Provenance(*f.store).ofRun(f.a.runId);
    QVERIFY(run);
    QCOMPARE(run->metrics.size(), size_t(1));
    QCOMPARE(run->toJson().value(QStringLiteral("metrics")).toArray().size(), 1);
}

void tst_Provenance::upstreamStopsAtTheArtifactsJob()
{
    Fixture f;
    const ArtifactProvenance p = f.provenanceOf(f.a.modelSha);
    QCOMPARE(jobKeys(p.jobs), (QStringList{QStringLiteral("a1/train"), QStringLiteral("a1/prepare")}));
    QVERIFY(p.gates.empty()); // evaluate's gate is downstream of the model
    QCOMPARE(p.images.size(), size_t(2));
    QCOMPARE(p.inputs.size(), size_t(1));
    QCOMPARE(p.inputs.front().path, QStringLiteral("data/clean.csv"));
}

void tst_Provenance::upstreamThroughAReusedJob()
{
    // Run C retried evaluate only: its train (and prepare) were reused from run A.
    Fixture f;
    const QString c = QStringLiteral("20240501-120000-00c3");
    auto ok = f.store->transaction([&]() -> Result<void> {
        LineageRun run = **f.store->run(f.a.runId);
        run.id = c;
        if (auto r = f.store->recordRun(run); !r)
            return r;
        for (const QString &name : {QStringLiteral("prepare"), QStringLiteral("train"), QStringLiteral("evaluate")}) {
            LineageJob j = **f.store->job(f.a.runId, name);
            j.runId = c;
            j.reusedFrom = name == QLatin1String("evaluate") ? QString() : f.a.runId;
            if (auto r = f.store->recordJob(j); !r)
                return r;
        }
        if (auto r = f.store->recordJobEdges(c, QStringLiteral("evaluate"), {QStringLiteral("train")}); !r)
            return r;
        if (auto r = f.store->recordJobEdges(c, QStringLiteral("train"), {QStringLiteral("prepare")}); !r)
            return r;
        if (auto r = f.store->recordArtifacts(
                c, QStringLiteral("evaluate"),
                {LineageArtifact{
                    c, QStringLiteral("evaluate"), QStringLiteral("metrics.json"), hex64('8'), 5, false, {}}});
            !r)
            return r;
        return f.store->recordConsumption(c, QStringLiteral("evaluate"),
                                          {LineageConsumption{c, QStringLiteral("evaluate"), QStringLiteral("train"),
                                                              QStringLiteral("models/model.txt"), f.a.modelSha}});
    });
    QVERIFY(ok);
    const ArtifactProvenance p = f.provenanceOf(hex64('8'));
    QVERIFY(jobKeys(p.jobs).contains(QStringLiteral("a1/train")));
    QVERIFY(jobKeys(p.jobs).contains(QStringLiteral("a1/prepare")));
    QCOMPARE(p.runs.size(), size_t(2));
    QCOMPARE(p.runs.front().id, c);
}

void tst_Provenance::resolveArtifact()
{
    Fixture f;
    const Provenance p(*f.store);
    QCOMPARE(p.resolveArtifact(f.a.modelSha)->runId, f.a.runId);
    QCOMPARE(p.resolveArtifact(QStringLiteral("models/model.txt"))->runId, f.b.runId); // the newest run
    QCOMPARE(p.resolveArtifact(QStringLiteral("models/model.txt"), f.a.runId)->sha256, f.a.modelSha);
    QCOMPARE(p.resolveArtifact(QStringLiteral("./models//model.txt"))->runId, f.b.runId);
    const auto missing = p.resolveArtifact(QStringLiteral("models/nothing.txt"));
    QVERIFY(!missing);
    QVERIFY(missing.error().message.contains(QStringLiteral("models/nothing.txt")));
    QVERIFY(!p.resolveArtifact(hex64('0')));
    // A file on disk is found by its content.
    const QByteArray content("exported model bytes");
    QVERIFY(f.store->recordArtifacts(f.a.runId, QStringLiteral("export"),
                                     {LineageArtifact{f.a.runId,
                                                      QStringLiteral("export"),
                                                      QStringLiteral("export/model.tar"),
                                                      DataVersioner::sha256Hex(content),
                                                      content.size(),
                                                      false,
                                                      {}}}));
    const QString copy = f.dir.filePath(QStringLiteral("downloaded-model.tar"));
    QFile file(copy);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
    file.close();
    const auto byFile = p.resolveArtifact(copy);
    QVERIFY2(byFile, byFile ? "" : qPrintable(byFile.error().message));
    QCOMPARE(byFile->path, QStringLiteral("export/model.tar"));
    QCOMPARE(byFile->runId, f.a.runId);

    // A newer reproduction makes the same paths; a path still means the newest real run's file.
    const QString repro = QStringLiteral("20240501-120000-00f9");
    const QString reproModel = QString(63, u'd') + u'1';
    trainyard::test::writeSampleRun(*f.store, repro, kCommitB, hex64('2'), reproModel);
    LineageRun run = **f.store->run(repro);
    run.trigger = QStringLiteral("reproduce");
    QVERIFY(f.store->recordRun(run));
    QCOMPARE(p.resolveArtifact(QStringLiteral("models/model.txt"))->runId, f.b.runId);
    QCOMPARE(p.resolveArtifact(QStringLiteral("models/model.txt"), repro)->runId, repro); // asked for by run
    QCOMPARE(p.resolveArtifact(reproModel)->runId, repro); // only the reproduction has these bytes
}

void tst_Provenance::runLineage()
{
    Fixture f;
    const Provenance p(*f.store);
    const auto run = p.ofRun(f.a.runId);
    QVERIFY(run);
    QCOMPARE(run->run.id, f.a.runId);
    QCOMPARE(run->commit->sha, kCommitA);
    QCOMPARE(run->jobs.size(), size_t(4));
    QCOMPARE(run->edges.size(), size_t(4));
    QCOMPARE(run->artifacts.size(), size_t(4));
    QCOMPARE(run->consumptions.size(), size_t(3));
    QCOMPARE(run->toJson().value(QStringLiteral("jobs")).toArray().size(), 4);
    QVERIFY(!p.ofRun(QStringLiteral("nope")));
}

void tst_Provenance::usesData()
{
    Fixture f;
    const Provenance p(*f.store);
    const auto uses = p.uses(hex64('1'));
    QVERIFY(uses);
    QCOMPARE(uses->kind, LineageUses::Kind::Data);
    QCOMPARE(uses->runs.size(), size_t(1));
    QCOMPARE(uses->runs.front().id, f.a.runId);
    QCOMPARE(artifactKeys(uses->artifacts),
             (QStringList{QStringLiteral("a1/data/clean.csv"), QStringLiteral("a1/export/model.tar"),
                          QStringLiteral("a1/logs/events"), QStringLiteral("a1/models/model.txt")}));
    // DVC's md5 finds the same runs.
    const auto dvc = p.uses(QStringLiteral("0123456789abcdef0123456789abcdef.dir"));
    QCOMPARE(dvc->kind, LineageUses::Kind::Data);
    QCOMPARE(dvc->runs.size(), size_t(2));
    const auto none = p.uses(hex64('3'));
    QVERIFY(none);
    QVERIFY(none->runs.empty());
}

void tst_Provenance::usesImage()
{
    Fixture f;
    const Provenance p(*f.store);
    // trainer:1 ran train, evaluate and export in both runs; prepare ran in alpine.
    const auto uses = p.uses(f.a.imageId);
    QVERIFY(uses);
    QCOMPARE(uses->kind, LineageUses::Kind::Image);
    QCOMPARE(uses->runs.size(), size_t(2));
    QCOMPARE(uses->jobs.size(), size_t(6));
    QVERIFY(!artifactKeys(uses->artifacts).contains(QStringLiteral("a1/data/clean.csv")));
    QVERIFY(artifactKeys(uses->artifacts).contains(QStringLiteral("b2/export/model.tar")));
    // By repo digest: alpine's prepare, and everything downstream of what it made.
    const auto alpine = p.uses(QStringLiteral("alpine@sha256:") + hex64('a'));
    QCOMPARE(alpine->kind, LineageUses::Kind::Image);
    QCOMPARE(alpine->jobs.size(), size_t(8));
    // A bare 64-hex key that is no data version is tried as an image ID.
    QCOMPARE(p.uses(hex64('e'))->kind, LineageUses::Kind::Image);
}

void tst_Provenance::usesCommit()
{
    Fixture f;
    const Provenance p(*f.store);
    const auto full = p.uses(kCommitB);
    QCOMPARE(full->kind, LineageUses::Kind::Commit);
    QCOMPARE(full->runs.size(), size_t(1));
    QCOMPARE(full->runs.front().id, f.b.runId);
    const auto prefix = p.uses(QStringLiteral("a1000"));
    QCOMPARE(prefix->runs.front().id, f.a.runId);
    QCOMPARE(prefix->artifacts.size(), size_t(4));
}

void tst_Provenance::usesArtifact()
{
    Fixture f;
    const Provenance p(*f.store);
    // The cleaned data: consumed by train, whose model went to evaluate and export.
    const auto uses = p.uses(f.a.cleanSha);
    QVERIFY(uses);
    QCOMPARE(uses->kind, LineageUses::Kind::Artifact);
    QCOMPARE(uses->runs.size(), size_t(2)); // both runs made the same clean.csv
    QStringList jobs;
    for (const LineageJobRef &j : uses->jobs)
        jobs << j.runId.right(2) + u'/' + j.job;
    jobs.sort();
    QCOMPARE(jobs,
             (QStringList{QStringLiteral("a1/evaluate"), QStringLiteral("a1/export"), QStringLiteral("a1/train"),
                          QStringLiteral("b2/evaluate"), QStringLiteral("b2/export"), QStringLiteral("b2/train")}));
}

void tst_Provenance::usesFollowsRetries()
{
    // A retry in run C reused train from A: data A's reverse lineage reaches C's evaluate.
    Fixture f;
    const QString c = QStringLiteral("20240501-120000-00c3");
    LineageRun run = **f.store->run(f.b.runId);
    run.id = c;
    QVERIFY(f.store->recordRun(run));
    LineageJob train = **f.store->job(f.a.runId, QStringLiteral("train"));
    train.runId = c;
    train.reusedFrom = f.a.runId;
    QVERIFY(f.store->recordJob(train));
    LineageJob evaluate = **f.store->job(f.b.runId, QStringLiteral("evaluate"));
    evaluate.runId = c;
    QVERIFY(f.store->recordJob(evaluate));
    QVERIFY(f.store->recordConsumption(c, QStringLiteral("evaluate"),
                                       {LineageConsumption{c, QStringLiteral("evaluate"), QStringLiteral("train"),
                                                           QStringLiteral("models/model.txt"), f.a.modelSha}}));
    const auto uses = Provenance(*f.store).uses(hex64('1'));
    QVERIFY(std::find(uses->jobs.begin(), uses->jobs.end(), LineageJobRef{c, QStringLiteral("evaluate")}) !=
            uses->jobs.end());
    QVERIFY(std::find(uses->jobs.begin(), uses->jobs.end(), LineageJobRef{f.b.runId, QStringLiteral("evaluate")}) ==
            uses->jobs.end());
}

void tst_Provenance::usesRejectsGarbage()
{
    Fixture f;
    const auto bad = Provenance(*f.store).uses(QStringLiteral("not a hash"));
    QVERIFY(!bad);
    QVERIFY(bad.error().message.contains(QStringLiteral("not a hash")));
}

void tst_Provenance::usesShortHashes()
{
    // Like git's short shas: a prefix that is no commit stands for the one data hash, image ID or
    // artifact it starts; more than one is refused, naming them.
    Fixture f;
    const Provenance p(*f.store);
    const auto data = p.uses(QStringLiteral("11111111"));
    QVERIFY2(data, qPrintable(data ? QString() : data.error().message));
    QCOMPARE(data->kind, LineageUses::Kind::Data);
    QCOMPARE(data->key, hex64('1'));
    QCOMPARE(data->runs.size(), size_t(1));
    QCOMPARE(data->runs.front().id, f.a.runId);
    const auto longer = p.uses(hex64('1').left(50)); // longer than a commit
    QVERIFY(longer);
    QCOMPARE(longer->key, hex64('1'));
    const auto image = p.uses(QStringLiteral("EEEEEEEE"));
    QVERIFY(image);
    QCOMPARE(image->kind, LineageUses::Kind::Image);
    QCOMPARE(image->runs.size(), size_t(2));
    const auto artifact = p.uses(f.a.cleanSha.left(10));
    QVERIFY(artifact);
    QCOMPARE(artifact->kind, LineageUses::Kind::Artifact);
    QCOMPARE(artifact->key, f.a.cleanSha);
    // A commit prefix still means the commit.
    QCOMPARE(p.uses(QStringLiteral("a1000"))->kind, LineageUses::Kind::Commit);
    const auto none = p.uses(QStringLiteral("99999999"));
    QVERIFY(none);
    QVERIFY(none->runs.empty());

    trainyard::test::writeSampleRun(*f.store, QStringLiteral("20240501-120000-00c3"), kCommitB, hex64('4'),
                                    QString(63, u'5') + u'0');
    const auto ambiguous = p.uses(QStringLiteral("55555555"));
    QVERIFY(!ambiguous);
    QVERIFY2(ambiguous.error().message.contains(QStringLiteral("is ambiguous")) &&
                 ambiguous.error().message.contains(hex64('5')) &&
                 ambiguous.error().message.contains(QString(63, u'5') + u'0'),
             qPrintable(ambiguous.error().message));

    // An exact key wins over the prefix of a longer one: a full commit SHA that also starts an
    // artifact's sha256 is the commit (bench_lineage's case); one digit less is ambiguous.
    const QString commit(40, u'7');
    trainyard::test::writeSampleRun(*f.store, QStringLiteral("20240501-120000-00c4"), commit, hex64('6'), hex64('7'));
    const auto exact = p.uses(commit);
    QVERIFY2(exact, qPrintable(exact ? QString() : exact.error().message));
    QCOMPARE(exact->kind, LineageUses::Kind::Commit);
    QCOMPARE(exact->runs.size(), size_t(1));
    QCOMPARE(exact->runs.front().id, QStringLiteral("20240501-120000-00c4"));
    QCOMPARE(p.uses(commit.toUpper())->kind, LineageUses::Kind::Commit);
    const auto shorter = p.uses(commit.left(39));
    QVERIFY(!shorter);
    QVERIFY(shorter.error().message.contains(QStringLiteral("is ambiguous")));
}

void tst_Provenance::checklistAllPassed()
{
    Fixture f;
    const ReleaseChecklist c = ReleaseReview::checklist(f.provenanceOf(f.a.exportSha));
    QCOMPARE(c.items.size(), size_t(7));
    for (const QString &id :
         {QStringLiteral("clean-commit"), QStringLiteral("pinned-images"), QStringLiteral("versioned-data"),
          QStringLiteral("gates-passed"), QStringLiteral("no-allowed-failures")}) {
        QVERIFY2(c.item(id), qPrintable(id));
        QVERIFY2(c.item(id)->state == ChecklistItem::State::Passed,
                 qPrintable(id + u' ' + c.item(id)->details.join(u';')));
    }
    QCOMPARE(c.item(QStringLiteral("reproducible"))->state, ChecklistItem::State::Unknown);
    QVERIFY(c.item(QStringLiteral("reproducible"))->details.first().contains(QStringLiteral("not yet tried")));
    // No image was scanned and the policy sets no gate: unknown, with how to scan; not blocking.
    QCOMPARE(c.item(QStringLiteral("images-scanned"))->state, ChecklistItem::State::Unknown);
    QVERIFY(c.item(QStringLiteral("images-scanned"))
                ->details.first()
                .contains(QStringLiteral("not scanned (trainyard scan")));
    QVERIFY(c.passed());
    QVERIFY(c.item(QStringLiteral("pinned-images"))->details.join(u' ').contains(QStringLiteral("built here")));
}

void tst_Provenance::checklistImagesScanned()
{
    Fixture f;
    const auto item = [&](const ReleasePolicy &policy) {
        const ReleaseChecklist c = ReleaseReview::checklist(f.provenanceOf(f.a.exportSha), policy);
        return *c.item(QStringLiteral("images-scanned"));
    };
    // The sample's jobs ran in two images, neither scanned: unknown without a gate, failed with one.
    QCOMPARE(item({}).state, ChecklistItem::State::Unknown);
    ReleasePolicy high;
    high.scanFailOn = QStringLiteral("high");
    ChecklistItem gated = item(high);
    QCOMPARE(gated.state, ChecklistItem::State::Failed);
    QVERIFY2(gated.details.last().contains(QStringLiteral("fail_on high is set: every image must be scanned")),
             qPrintable(gated.details.join(u'\n')));

    // Both scanned: one with a medium finding (below the gate), one clean.
    Finding medium;
    medium.id = QStringLiteral("DSA-1");
    medium.package = QStringLiteral("libc6");
    medium.severity = Severity::Medium;
    medium.source = QStringLiteral("osv");
    QVERIFY(
        f.store->recordImageScan({f.a.imageId, QDateTime::currentDateTimeUtc(), {QStringLiteral("osv: x")}, {medium}}));
    QVERIFY(f.store->recordImageScan(
        {QStringLiteral("sha256:") + hex64('a'), QDateTime::currentDateTimeUtc(), {QStringLiteral("osv: x")}, {}}));
    gated = item(high);
    QCOMPARE(gated.state, ChecklistItem::State::Passed);
    QVERIFY2(gated.details.join(u' ').contains(QStringLiteral("1 finding(s): 1 medium")),
             qPrintable(gated.details.join(u'\n')));
    ReleasePolicy medium_;
    medium_.scanFailOn = QStringLiteral("medium");
    QCOMPARE(item(medium_).state, ChecklistItem::State::Failed);

    // A gate the project's file cannot state fails the item, saying why.
    ReleasePolicy unreadable;
    unreadable.problems << QStringLiteral(
        ".gitlab-ci.yml:3:14: error: .trainyard scan fail_on \"severe\" is not one of "
        "critical, high, medium, low");
    gated = item(unreadable);
    QCOMPARE(gated.state, ChecklistItem::State::Failed);
    QVERIFY(gated.details.join(u' ').contains(QStringLiteral("scan policy cannot be read: .gitlab-ci.yml:3:14")));
}

void tst_Provenance::checklistFailures_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("item");
    QTest::addColumn<QString>("reason");
    QTest::newRow("dirty") << "dirty"
                           << "clean-commit"
                           << "uncommitted changes";
    QTest::newRow("unprotected branch") << "branch"
                                        << "clean-commit"
                                        << "is not protected";
    QTest::newRow("no commit") << "nocommit"
                               << "clean-commit"
                               << "not made from a git commit";
    QTest::newRow("latest tag") << "latest"
                                << "pinned-images"
                                << "'latest'";
    QTest::newRow("tag, not built here") << "tag"
                                         << "pinned-images"
                                         << "not by digest";
    QTest::newRow("shell engine") << "shell"
                                  << "pinned-images"
                                  << "host shell";
    QTest::newRow("data not versioned") << "data"
                                        << "versioned-data"
                                        << "no recorded version";
    QTest::newRow("gate failed") << "gate"
                                 << "gates-passed"
                                 << "failed";
    QTest::newRow("gate not measured") << "unmeasured"
                                       << "gates-passed"
                                       << "not measured";
    QTest::newRow("allowed failure upstream") << "allowed"
                                              << "no-allowed-failures"
                                              << "failed but was allowed";
}

void tst_Provenance::checklistFailures()
{
    QFETCH(QString, change);
    QFETCH(QString, item);
    QFETCH(QString, reason);
    Fixture f;
    const QString run = f.a.runId;
    LineageRun r = **f.store->run(run);
    LineageJob train = **f.store->job(run, QStringLiteral("train"));
    if (change == QLatin1String("dirty")) {
        r.dirty = true;
        r.diffHash = hex64('d');
    } else if (change == QLatin1String("branch")) {
        r.branch = QStringLiteral("experiment");
    } else if (change == QLatin1String("nocommit")) {
        r.commitSha.clear();
    } else if (change == QLatin1String("latest") || change == QLatin1String("tag")) {
        train.image =
            change == QLatin1String("latest") ? QStringLiteral("python:latest") : QStringLiteral("python:3.12");
        QVERIFY(f.store->recordImage(LineageImage{run, train.image, QStringLiteral("sha256:") + hex64('f'), {}, {}}));
    } else if (change == QLatin1String("shell")) {
        train.image.clear();
        train.engine = QStringLiteral("shell");
    } else if (change == QLatin1String("data")) {
        QVERIFY(f.store->recordDataVersion(
            LineageDataVersion{run, QStringLiteral("dataset"), QStringLiteral("data"), {}, 0, 0, {}, {}}));
    } else if (change == QLatin1String("gate")) {
        QVERIFY(f.store->recordGateValues(run, QStringLiteral("evaluate"), {{QStringLiteral("accuracy"), 0.5}},
                                          QStringLiteral("test")));
    } else if (change == QLatin1String("unmeasured")) {
        QVERIFY(f.store->recordGates(
            run, QStringLiteral("evaluate"),
            {LineageGate{
                run, QStringLiteral("evaluate"), QStringLiteral("f1"), QStringLiteral(">"), 0.5, {}, {}, {}}}));
        QVERIFY(f.store->closePendingGates(run));
    } else if (change == QLatin1String("allowed")) {
        train.status = QStringLiteral("failed (allowed)");
        train.reason = QStringLiteral("exit code 3");
    }
    QVERIFY(f.store->recordRun(r));
    QVERIFY(f.store->recordJob(train));
    const ReleaseChecklist c = ReleaseReview::checklist(f.provenanceOf(f.a.exportSha));
    QVERIFY(!c.passed());
    const ChecklistItem *i = c.item(item);
    QCOMPARE(i->state, ChecklistItem::State::Failed);
    QVERIFY2(i->details.join(u'\n').contains(reason), qPrintable(i->details.join(u'\n')));
    // Only that item fails.
    for (const ChecklistItem &other : c.items) {
        if (other.id != item)
            QVERIFY2(other.state != ChecklistItem::State::Failed,
                     qPrintable(other.id + u' ' + other.details.join(u';')));
    }
}

void tst_Provenance::reproducibility()
{
    Fixture f;
    QVERIFY(f.store->recordReproduction(
        LineageReproduction{f.a.runId, QStringLiteral("r1"), false, QStringLiteral("model.txt differs"), {}}));
    auto c = ReleaseReview::checklist(f.provenanceOf(f.a.exportSha));
    QCOMPARE(c.item(QStringLiteral("reproducible"))->state, ChecklistItem::State::Failed);
    QVERIFY(c.item(QStringLiteral("reproducible"))->details.join(u' ').contains(QStringLiteral("model.txt differs")));
    QVERIFY(f.store->recordReproduction(LineageReproduction{f.a.runId, QStringLiteral("r2"), true, {}, {}}));
    c = ReleaseReview::checklist(f.provenanceOf(f.a.exportSha));
    QCOMPARE(c.item(QStringLiteral("reproducible"))->state, ChecklistItem::State::Passed);
}

void tst_Provenance::signOffStaleness()
{
    Fixture f;
    ReleaseReview review(*f.store);
    const ArtifactProvenance before = f.provenanceOf(f.a.exportSha);
    const auto first =
        review.signOff(before, QStringLiteral("Lead"), QStringLiteral("approve"), QStringLiteral("ship it"));
    QVERIFY(first);
    QCOMPARE(first->fingerprint, before.fingerprint());
    auto signOffs = review.signOffs(f.provenanceOf(f.a.exportSha));
    QCOMPARE(signOffs->size(), size_t(1));
    QVERIFY(!signOffs->front().stale); // nothing changed: still current
    QCOMPARE(f.provenanceOf(f.a.exportSha).fingerprint(), before.fingerprint());

    // A change to run B is no change to this artifact's lineage.
    QVERIFY(f.store->recordScalars(f.b.runId, QStringLiteral("train"), {{QStringLiteral("loss"), 0.01}}));
    QVERIFY(!review.signOffs(f.provenanceOf(f.a.exportSha))->front().stale);

    // A new final value of an upstream job's scalar changes it: the sign-off goes stale.
    QVERIFY(f.store->recordScalars(f.a.runId, QStringLiteral("train"), {{QStringLiteral("loss"), 0.5}}));
    const ArtifactProvenance after = f.provenanceOf(f.a.exportSha);
    QVERIFY(after.fingerprint() != before.fingerprint());
    signOffs = review.signOffs(after);
    QVERIFY(signOffs->front().stale);
    // A new sign-off is current; the old one stays, stale.
    QVERIFY(review.signOff(after, QStringLiteral("Lead"), QStringLiteral("reject"), QStringLiteral("loss got worse")));
    signOffs = review.signOffs(after);
    QCOMPARE(signOffs->size(), size_t(2));
    QVERIFY(signOffs->at(0).stale);
    QVERIFY(!signOffs->at(1).stale);
    QCOMPARE(signOffs->at(1).signOff.decision, QStringLiteral("reject"));
    // A reproduction that errored before its jobs ran is no verdict: nothing goes stale or fails.
    QVERIFY(f.store->recordReproduction(LineageReproduction{
        f.a.runId,
        QStringLiteral("e"),
        false,
        QStringLiteral("errored: the reproduction e of run A could not run its jobs, so nothing was compared "
                       "(no verdict): job train could not be run: Starting the container: Internal Server Error"),
        {},
        true}));
    QVERIFY(!review.signOffs(f.provenanceOf(f.a.exportSha))->at(1).stale);
    const ChecklistItem errored =
        *ReleaseReview::checklist(f.provenanceOf(f.a.exportSha)).item(QStringLiteral("reproducible"));
    QCOMPARE(errored.state, ChecklistItem::State::Unknown);
    QVERIFY2(errored.details.join(u'\n').contains(QStringLiteral("errored")), qPrintable(errored.details.join(u'\n')));
    QVERIFY(errored.details.join(u'\n').contains(QStringLiteral("not yet tried")));
    // A reproduction that ran is a change.
    QVERIFY(f.store->recordReproduction(LineageReproduction{f.a.runId, QStringLiteral("r"), true, {}, {}}));
    QVERIFY(review.signOffs(f.provenanceOf(f.a.exportSha))->at(1).stale);
}

void tst_Provenance::signOffOfAnotherRunWithTheSameBytes()
{
    // Run C made the same export bytes as run A (the same commit run again). A's sign-off is
    // shown with C's review as given for run A, and is not made stale by C.
    Fixture f;
    ReleaseReview review(*f.store);
    const ArtifactProvenance a = f.provenanceOf(f.a.exportSha, f.a.runId);
    QVERIFY(review.signOff(a, QStringLiteral("Lead"), QStringLiteral("approve"), QStringLiteral("ok")));
    const QString c = QStringLiteral("20240501-120000-01a1"); // the sample's commit time follows the id's last digits
    trainyard::test::writeSampleRun(*f.store, c, kCommitA, hex64('1'), f.a.modelSha);
    const ArtifactProvenance newest = f.provenanceOf(f.a.exportSha);
    QCOMPARE(newest.artifact.runId, c);
    QVERIFY(newest.fingerprint() != a.fingerprint());
    auto signOffs = review.signOffs(newest);
    QCOMPARE(signOffs->size(), size_t(1));
    QVERIFY(signOffs->front().otherRun);
    QVERIFY(!signOffs->front().stale);
    QCOMPARE(signOffs->front().signOff.runId, f.a.runId);
    // In A's own review it is A's, current.
    signOffs = review.signOffs(a);
    QVERIFY(!signOffs->front().otherRun && !signOffs->front().stale);
    // A change to A's lineage makes it stale, seen from either run.
    QVERIFY(f.store->recordScalars(f.a.runId, QStringLiteral("train"), {{QStringLiteral("loss"), 0.5}}));
    QVERIFY(review.signOffs(newest)->front().stale);
    QVERIFY(review.signOffs(f.provenanceOf(f.a.exportSha, f.a.runId))->front().stale);
}

void tst_Provenance::markdownAndHtml()
{
    Fixture f;
    ReleaseReview review(*f.store);
    const ArtifactProvenance p = f.provenanceOf(f.a.exportSha);
    QVERIFY(
        review.signOff(p, QStringLiteral("Lead <b>"), QStringLiteral("approve"), QStringLiteral("a | pipe <script>")));
    const auto signOffs = *review.signOffs(p);
    const ReleaseChecklist c = ReleaseReview::checklist(p);
    const QString md = ProvenanceExport::markdown(p, c, signOffs);
    QVERIFY(md.startsWith(QStringLiteral("# Release review: export/model.tar\n")));
    QVERIFY(md.contains(f.a.exportSha));
    QVERIFY(md.contains(QStringLiteral("| Clean commit on a protected branch | PASS |")));
    QVERIFY(md.contains(QStringLiteral("| Reproduced with identical hashes | UNKNOWN |")));
    QVERIFY(md.contains(kCommitA));
    QVERIFY(md.contains(hex64('1')));                   // the data version
    QVERIFY(md.contains(QStringLiteral("a \\| pipe"))); // a pipe in a cell does not break the table
    QVERIFY(md.contains(QStringLiteral("## Sign-offs")));
    const QString html = ProvenanceExport::html(p, c, signOffs);
    QVERIFY(html.startsWith(QStringLiteral("<!DOCTYPE html>")));
    QVERIFY(html.contains(QStringLiteral("<td class=\"PASS\">PASS</td>")));
    QVERIFY(!html.contains(QStringLiteral("<script>")));
    QVERIFY(html.contains(QStringLiteral("&lt;script&gt;")));
    QVERIFY(html.contains(QStringLiteral("Lead &lt;b&gt;")));
}

void tst_Provenance::inTotoStatementHasTheRequiredFields()
{
    Fixture f;
    const ArtifactProvenance p = f.provenanceOf(f.a.exportSha);
    const QJsonObject statement = ProvenanceExport::inTotoStatement(p);
    SchemaChecker checker(loadSchema());
    const QStringList errors = checker.check(statement);
    QVERIFY2(errors.isEmpty(),
             qPrintable(errors.join(u'\n') + u'\n' + QString::fromUtf8(QJsonDocument(statement).toJson())));

    QCOMPARE(statement.value(QStringLiteral("_type")).toString(), QStringLiteral("https://in-toto.io/Statement/v1"));
    QCOMPARE(statement.value(QStringLiteral("predicateType")).toString(),
             QStringLiteral("https://slsa.dev/provenance/v1"));
    const QJsonObject subject = statement.value(QStringLiteral("subject")).toArray().first().toObject();
    QCOMPARE(subject.value(QStringLiteral("name")).toString(), QStringLiteral("export/model.tar"));
    QCOMPARE(subject.value(QStringLiteral("digest")).toObject().value(QStringLiteral("sha256")).toString(),
             f.a.exportSha);
    const QJsonObject predicate = statement.value(QStringLiteral("predicate")).toObject();
    const QJsonObject runDetails = predicate.value(QStringLiteral("runDetails")).toObject();
    QCOMPARE(runDetails.value(QStringLiteral("builder")).toObject().value(QStringLiteral("id")).toString(),
             QStringLiteral("trainyard"));
    const QJsonObject metadata = runDetails.value(QStringLiteral("metadata")).toObject();
    QCOMPARE(metadata.value(QStringLiteral("invocationId")).toString(), f.a.runId);
    QCOMPARE(metadata.value(QStringLiteral("startedOn")).toString(), p.run().started.toString(Qt::ISODate));
    QCOMPARE(metadata.value(QStringLiteral("finishedOn")).toString(), p.run().finished.toString(Qt::ISODate));
    QVERIFY(metadata.value(QStringLiteral("startedOn")).toString().endsWith(u'Z'));

    // resolvedDependencies: the commit, the images by digest, the data by hash.
    QStringList digests;
    for (const QJsonValue &d : predicate.value(QStringLiteral("buildDefinition"))
                                   .toObject()
                                   .value(QStringLiteral("resolvedDependencies"))
                                   .toArray()) {
        const QJsonObject digest = d.toObject().value(QStringLiteral("digest")).toObject();
        for (auto it = digest.begin(); it != digest.end(); ++it)
            digests << it.key() + u':' + it.value().toString();
    }
    QVERIFY2(digests.contains(QStringLiteral("gitCommit:") + kCommitA), qPrintable(digests.join(u'\n')));
    QVERIFY(digests.contains(QStringLiteral("sha256:") + hex64('e')));                 // trainer:1's image ID
    QVERIFY(digests.contains(QStringLiteral("sha256:") + hex64('a')));                 // alpine
    QVERIFY(digests.contains(QStringLiteral("sha256:") + hex64('1')));                 // the data version
    QVERIFY(digests.contains(QStringLiteral("md5:0123456789abcdef0123456789abcdef"))); // and DVC's md5
    QVERIFY(digests.contains(QStringLiteral("sha256:") + f.a.modelSha));               // an artifact staged upstream
    QVERIFY(!QJsonDocument(statement).toJson().contains("PLACEHOLDER"));
}

void tst_Provenance::schemaCheckerCatchesMissingFields()
{
    // The checker itself must see what is wrong, or the test above proves nothing.
    Fixture f;
    QJsonObject statement = ProvenanceExport::inTotoStatement(f.provenanceOf(f.a.exportSha));
    SchemaChecker checker(loadSchema());
    QJsonObject predicate = statement.value(QStringLiteral("predicate")).toObject();
    QJsonObject runDetails = predicate.value(QStringLiteral("runDetails")).toObject();
    runDetails.insert(QStringLiteral("builder"), QJsonObject{});
    predicate.insert(QStringLiteral("runDetails"), runDetails);
    QJsonObject broken = statement;
    broken.insert(QStringLiteral("predicate"), predicate);
    QVERIFY(checker.check(broken).join(u' ').contains(QStringLiteral("missing required 'id'")));
    broken = statement;
    broken.insert(QStringLiteral("subject"),
                  QJsonArray{QJsonObject{
                      {QStringLiteral("name"), QStringLiteral("x")},
                      {QStringLiteral("digest"), QJsonObject{{QStringLiteral("sha256"), QStringLiteral("XYZ")}}}}});
    QVERIFY(checker.check(broken).join(u' ').contains(QStringLiteral("does not match")));
    broken = statement;
    broken.remove(QStringLiteral("predicateType"));
    QVERIFY(!checker.check(broken).isEmpty());
}

void tst_Provenance::renderPicksTheFormat()
{
    Fixture f;
    const ArtifactProvenance p = f.provenanceOf(f.a.exportSha);
    const ReleaseChecklist c = ReleaseReview::checklist(p);
    QVERIFY(ProvenanceExport::render(QStringLiteral("r.md"), p, c, {})->startsWith("# Release review"));
    QVERIFY(ProvenanceExport::render(QStringLiteral("r.HTML"), p, c, {})->startsWith("<!DOCTYPE html>"));
    const auto json = ProvenanceExport::render(QStringLiteral("provenance.json"), p, c, {});
    QCOMPARE(QJsonDocument::fromJson(*json).object().value(QStringLiteral("_type")).toString(),
             QStringLiteral("https://in-toto.io/Statement/v1"));
    const auto unknown = ProvenanceExport::render(QStringLiteral("report.pdf"), p, c, {});
    QVERIFY(!unknown);
    QVERIFY(unknown.error().message.contains(QStringLiteral("report.pdf")));
}

QTEST_GUILESS_MAIN(tst_Provenance)
#include "tst_provenance.moc"
