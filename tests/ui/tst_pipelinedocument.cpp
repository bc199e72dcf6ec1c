// PipelineDocument and its undo commands on a copy of the offline demo: every edit changes only
// the lines it concerns, undo gives the bytes back exactly, refusals leave the stack alone.
#include "document/pipelinecommands.h"
#include "document/pipelinedocument.h"

#include "pipeline/gitlabcireader.h"
#include "pipeline/yamlblockscanner.h"
#include "support/branchcontext.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include <algorithm>

using namespace trainyard;
using namespace trainyard::ui;

namespace {

core::EvaluationContext testContext(const QString &dir)
{
    return trainyard::test::pushToMainContext(dir);
}

QStringList needsOf(const core::Pipeline &p, const QString &job)
{
    QStringList names;
    const core::Job *j = p.job(job);
    if (j && j->needs) {
        for (const core::Need &n : *j->needs)
            names << n.job;
    }
    return names;
}

/// Every job with its stage, needs, image and script, and every problem: what the canvas shows.
QStringList shapeOf(const core::Pipeline &p)
{
    QStringList shape;
    for (const core::Job &j : p.jobs)
        shape << j.name + u'@' + j.stage + u'<' + needsOf(p, j.name).join(u',') + u' ' + j.image.name + u' ' +
                     j.script.join(u';');
    for (const core::Error &e : p.problems)
        shape << e.toString();
    return shape;
}

/// True when the document's pipeline is what reading its text afresh gives: an edit, undo or
/// redo that takes an editor it holds (instead of reading the text) must not differ.
bool pipelineMatchesText(const PipelineDocument &doc, const core::EvaluationContext &context)
{
    const QStringList held = shapeOf(doc.pipeline());
    const QStringList fresh = shapeOf(core::GitlabCiReader::readText(doc.text(), doc.filePath(), context));
    if (held != fresh)
        qWarning("held:  %s\nfresh: %s", qPrintable(held.join(u'|')), qPrintable(fresh.join(u'|')));
    return held == fresh;
}

QString errorsOf(const core::Pipeline &p)
{
    QStringList errors;
    for (const core::Error &e : p.problems) {
        if (e.isError())
            errors << e.toString();
    }
    return errors.join(QLatin1Char('\n'));
}

/// What a row of singleEdits looks at: a field of one job, as a string ("<absent>" without the job).
QString observe(const core::Pipeline &p, const QString &job, const QString &what)
{
    const core::Job *j = p.job(job);
    if (!j)
        return QStringLiteral("<absent>");
    if (what == QLatin1String("image"))
        return j->image.name;
    if (what == QLatin1String("when"))
        return core::whenToString(j->when);
    if (what == QLatin1String("timeout"))
        return j->timeout;
    if (what == QLatin1String("stage"))
        return j->stage;
    if (what == QLatin1String("script"))
        return j->script.join(QLatin1Char('|'));
    if (what == QLatin1String("tags"))
        return j->tags.join(QLatin1Char('|'));
    if (what == QLatin1String("needs"))
        return needsOf(p, job).join(QLatin1Char('|'));
    if (what == QLatin1String("allow_failure"))
        return j->allowFailure ? QStringLiteral("true") : QStringLiteral("false");
    if (what == QLatin1String("retry"))
        return QString::number(j->retry.max);
    if (what == QLatin1String("artifacts"))
        return j->artifacts.paths.join(QLatin1Char('|'));
    if (what == QLatin1String("variables")) {
        QStringList vars;
        for (const core::Variable &v : j->variables)
            vars << v.name + QLatin1Char('=') + v.value;
        return vars.join(QLatin1Char('|'));
    }
    return QStringLiteral("<unknown>");
}

/// True when every line that differs between the texts is blank or inside `job`'s block (in the
/// text that has the job).
bool onlyJobChanged(const QByteArray &before, const QByteArray &after, const QString &job)
{
    const QList<QByteArray> b = before.split('\n');
    const QList<QByteArray> a = after.split('\n');
    qsizetype pre = 0;
    while (pre < b.size() && pre < a.size() && b[pre] == a[pre])
        ++pre;
    qsizetype suf = 0;
    while (suf < b.size() - pre && suf < a.size() - pre && b[b.size() - 1 - suf] == a[a.size() - 1 - suf])
        ++suf;
    const auto inside = [&](const QByteArray &text, const QList<QByteArray> &lines, qsizetype end) {
        const auto entry = core::YamlBlockScanner(text).topLevelEntry(job);
        for (qsizetype i = pre; i < end; ++i) {
            const bool inJob = entry && i >= entry->keyLine && i <= entry->lastLine;
            if (!inJob && !lines[i].trimmed().isEmpty()) {
                qWarning("line %lld changed outside job %s: %s", qlonglong(i + 1), qPrintable(job),
                         lines[i].constData());
                return false;
            }
        }
        return true;
    };
    return inside(before, b, b.size() - suf) && inside(after, a, a.size() - suf);
}

} // namespace

class tst_PipelineDocument final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void loadMissingFileIsClearError();
    void loadReadsDemo();
    void createStartsModified();
    void singleEdits_data();
    void singleEdits();
    void undoToAnyDepth();
    void editsInsideOneJobReadAsTheWholeText();
    void readWarningsSurviveEdits();
    void fieldEditsMerge();
    void saveWritesBytesAndClearsModified();
    void changedOnDiskSeesOtherEditors();
    void cycleIsRefused();
    void sharedAnchorIsRefused();
    void addNeedCreatesNeeds();
    void removeWithNeedsReferences();
    void renameUpdatesReferences();
    void renameKeepsOptionedNeeds();
    void duplicate();
    void stagesRenameMovesJobs();
    void stagesRefuseStrandingJobs();
    void numberEditsMerge();
    void trainyardSettings();
    void variablesWriteOnlyWhatDiffers();
    void artifactsFromTemplateCannotBeCleared();
    void inlineThenEditIsOneMacro();
    void renameMovesTrainyardSettings();

private:
    std::unique_ptr<PipelineDocument> loadDemo();
    QUndoCommand *makeCommand(PipelineDocument *doc, const QString &op, const QString &job, const QString &a,
                              const QString &b);

    std::unique_ptr<QTemporaryDir> m_dir;
    QByteArray m_original;
};

void tst_PipelineDocument::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QFile demo(QStringLiteral(TRAINYARD_SOURCE_DIR "/resources/examples/offline-demo/.gitlab-ci.yml"));
    QVERIFY(demo.open(QIODevice::ReadOnly));
    m_original = demo.readAll();
    QFile copy(m_dir->filePath(QStringLiteral(".gitlab-ci.yml")));
    QVERIFY(copy.open(QIODevice::WriteOnly));
    QCOMPARE(copy.write(m_original), m_original.size());
}

std::unique_ptr<PipelineDocument> tst_PipelineDocument::loadDemo()
{
    auto doc = PipelineDocument::load(m_dir->path(), testContext(m_dir->path()));
    if (!doc) {
        qWarning("%s", qPrintable(doc.error().toString()));
        return nullptr;
    }
    return std::move(*doc);
}

QUndoCommand *tst_PipelineDocument::makeCommand(PipelineDocument *doc, const QString &op, const QString &job,
                                                const QString &a, const QString &b)
{
    if (op == QLatin1String("field"))
        return new SetJobFieldCommand(doc, job, a, b);
    if (op == QLatin1String("list"))
        return new SetJobListCommand(doc, job, a, b.split(QLatin1Char('|')));
    if (op == QLatin1String("add"))
        return new AddJobCommand(doc, job, b);
    if (op == QLatin1String("move"))
        return new MoveJobToStageCommand(doc, job, b);
    if (op == QLatin1String("addNeed"))
        return new AddNeedCommand(doc, job, b);
    if (op == QLatin1String("removeNeed"))
        return new RemoveNeedCommand(doc, job, b);
    const QStringList items = b.isEmpty() ? QStringList() : b.split(QLatin1Char('|'));
    if (op == QLatin1String("flag"))
        return new SetJobFlagCommand(doc, job, a, b == QLatin1String("true"));
    if (op == QLatin1String("number"))
        return new SetJobNumberCommand(doc, job, a, b.toInt());
    if (op == QLatin1String("removeKey"))
        return new RemoveJobKeyCommand(doc, job, a);
    if (op == QLatin1String("artifacts"))
        return new SetJobArtifactsPathsCommand(doc, job, items);
    if (op == QLatin1String("variables")) {
        core::YamlEditor::ScalarEntries entries;
        for (const QString &item : items)
            entries.append({item.section(QLatin1Char('='), 0, 0), item.section(QLatin1Char('='), 1)});
        return new SetJobVariablesCommand(doc, job, entries);
    }
    return nullptr;
}

void tst_PipelineDocument::loadMissingFileIsClearError()
{
    QTemporaryDir empty;
    const auto doc = PipelineDocument::load(empty.path(), testContext(empty.path()));
    QVERIFY(!doc);
    QVERIFY2(doc.error().message.contains(QStringLiteral("no .gitlab-ci.yml")), qPrintable(doc.error().message));
    QCOMPARE(doc.error().location.file, empty.filePath(QStringLiteral(".gitlab-ci.yml")));
}

void tst_PipelineDocument::loadReadsDemo()
{
    const auto doc = loadDemo();
    QVERIFY(doc);
    QCOMPARE(doc->text(), m_original);
    QVERIFY2(!doc->pipeline().hasErrors(), qPrintable(errorsOf(doc->pipeline())));
    QCOMPARE(doc->pipeline().jobs.size(), size_t(4));
    QVERIFY(!doc->isModified());
    QCOMPARE(doc->undoStack()->count(), 0);
}

void tst_PipelineDocument::createStartsModified()
{
    QTemporaryDir dir;
    auto doc = PipelineDocument::create(dir.path(), testContext(dir.path()));
    QVERIFY(doc->isModified());
    QVERIFY2(!doc->pipeline().hasErrors(), qPrintable(errorsOf(doc->pipeline())));
    QVERIFY(doc->pipeline().stages.contains(QStringLiteral("train")));
    QCOMPARE(doc->pipeline().jobs.size(), size_t(4)); // unit-tests, train, evaluate, export
    QVERIFY(doc->save());
    QVERIFY(!doc->isModified());
    const auto again = PipelineDocument::load(dir.path(), testContext(dir.path()));
    QVERIFY(again);
    QCOMPARE((*again)->text(), doc->text());
}

void tst_PipelineDocument::singleEdits_data()
{
    QTest::addColumn<QString>("op");
    QTest::addColumn<QString>("job");
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<QString>("observed"); // what observe() looks at
    QTest::addColumn<QString>("expected");

    const QString image = QStringLiteral("image");
    QTest::newRow("set image") << "field"
                               << "evaluate" << image << "python:3.12" << image << "python:3.12";
    QTest::newRow("set when") << "field"
                              << "unit-tests"
                              << "when"
                              << "manual"
                              << "when"
                              << "manual";
    QTest::newRow("add timeout") << "field"
                                 << "train"
                                 << "timeout"
                                 << "1h"
                                 << "timeout"
                                 << "1h";
    QTest::newRow("typed value") << "field"
                                 << "export"
                                 << "timeout"
                                 << "true"
                                 << "timeout"
                                 << "true";
    QTest::newRow("set script") << "list"
                                << "evaluate"
                                << "script"
                                << "a|b: c"
                                << "script"
                                << "a|b: c";
    QTest::newRow("add tags") << "list"
                              << "train"
                              << "tags"
                              << "gpu|cuda"
                              << "tags"
                              << "gpu|cuda";
    QTest::newRow("add job") << "add"
                             << "lint"
                             << ""
                             << "test"
                             << "stage"
                             << "test";
    QTest::newRow("move stage") << "move"
                                << "evaluate"
                                << ""
                                << "train"
                                << "stage"
                                << "train";
    QTest::newRow("add need") << "addNeed"
                              << "evaluate"
                              << ""
                              << "unit-tests"
                              << "needs"
                              << "train|unit-tests";
    QTest::newRow("remove need") << "removeNeed"
                                 << "export"
                                 << ""
                                 << "evaluate"
                                 << "needs"
                                 << "train";
    QTest::newRow("remove optioned need") << "removeNeed"
                                          << "train"
                                          << ""
                                          << "unit-tests"
                                          << "needs"
                                          << "";
    QTest::newRow("allow failure") << "flag"
                                   << "unit-tests"
                                   << "allow_failure"
                                   << "true"
                                   << "allow_failure"
                                   << "true";
    QTest::newRow("retry") << "number"
                           << "train"
                           << "retry"
                           << "2"
                           << "retry"
                           << "2";
    QTest::newRow("remove when") << "removeKey"
                                 << "export"
                                 << "when"
                                 << ""
                                 << "when"
                                 << "on_success";
    QTest::newRow("set artifacts") << "artifacts"
                                   << "evaluate"
                                   << ""
                                   << "metrics.json|plots/"
                                   << "artifacts"
                                   << "metrics.json|plots/";
    QTest::newRow("add artifacts") << "artifacts"
                                   << "unit-tests"
                                   << ""
                                   << "junit.xml"
                                   << "artifacts"
                                   << "junit.xml";
    QTest::newRow("clear artifacts") << "artifacts"
                                     << "export"
                                     << ""
                                     << ""
                                     << "artifacts"
                                     << "";
    QTest::newRow("add variables") << "variables"
                                   << "train"
                                   << ""
                                   << "EPOCHS=5|MODE=fast run"
                                   << "variables"
                                   << "EPOCHS=5|MODE=fast run";
}

void tst_PipelineDocument::singleEdits()
{
    QFETCH(QString, op);
    QFETCH(QString, job);
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(QString, observed);
    QFETCH(QString, expected);

    auto doc = loadDemo();
    QVERIFY(doc);
    QSignalSpy problems(doc.get(), &PipelineDocument::problem);
    QSignalSpy changed(doc.get(), &PipelineDocument::changed);
    const QString was = observe(doc->pipeline(), job, observed);

    doc->push(makeCommand(doc.get(), op, job, a, b));
    QCOMPARE(problems.count(), 0);
    QCOMPARE(doc->undoStack()->count(), 1);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(observe(doc->pipeline(), job, observed), expected);
    QVERIFY2(!doc->pipeline().hasErrors(), qPrintable(errorsOf(doc->pipeline())));
    QVERIFY(onlyJobChanged(m_original, doc->text(), job));
    QVERIFY(doc->isModified());
    const QByteArray after = doc->text();

    doc->undoStack()->undo();
    QCOMPARE(doc->text(), m_original);
    QCOMPARE(observe(doc->pipeline(), job, observed), was);
    QVERIFY(!doc->isModified());
    doc->undoStack()->redo();
    QCOMPARE(doc->text(), after);
    QCOMPARE(observe(doc->pipeline(), job, observed), expected);
    QCOMPARE(changed.count(), 3);
}

void tst_PipelineDocument::undoToAnyDepth()
{
    auto doc = loadDemo();
    QVERIFY(doc);
    QSignalSpy problems(doc.get(), &PipelineDocument::problem);
    QList<QByteArray> snapshots{doc->text()};
    const core::EvaluationContext context = testContext(m_dir->path());
    const auto step = [&](QUndoCommand *command) {
        doc->push(command);
        snapshots << doc->text();
        QVERIFY(pipelineMatchesText(*doc, context));
    };
    step(new SetJobFieldCommand(doc.get(), QStringLiteral("train"), QStringLiteral("image"), QStringLiteral("x:1")));
    step(new AddJobCommand(doc.get(), QStringLiteral("lint"), QStringLiteral("test")));
    step(new SetJobListCommand(doc.get(), QStringLiteral("lint"), QStringLiteral("tags"), {QStringLiteral("cpu")}));
    step(new AddNeedCommand(doc.get(), QStringLiteral("export"), QStringLiteral("lint")));
    step(new RenameJobCommand(doc.get(), QStringLiteral("evaluate"), QStringLiteral("eval")));
    step(new MoveJobToStageCommand(doc.get(), QStringLiteral("lint"), QStringLiteral("evaluate")));
    step(new DuplicateJobCommand(doc.get(), QStringLiteral("eval")));
    step(new SetStagesCommand(doc.get(), {QStringLiteral("test"), QStringLiteral("fit"), QStringLiteral("evaluate"),
                                          QStringLiteral("export")}));
    step(new RemoveNeedCommand(doc.get(), QStringLiteral("export"), QStringLiteral("train")));
    step(new RemoveJobCommand(doc.get(), QStringLiteral("eval-copy"), true));
    QCOMPARE(problems.count(), 0);
    QCOMPARE(doc->undoStack()->count(), 10);
    QVERIFY2(!doc->pipeline().hasErrors(), qPrintable(errorsOf(doc->pipeline())));
    QCOMPARE(doc->pipeline().job(QStringLiteral("train"))->stage, QStringLiteral("fit"));
    for (int i = 10; i > 0; --i) {
        QCOMPARE(doc->text(), snapshots[i]);
        doc->undoStack()->undo();
        QVERIFY(pipelineMatchesText(*doc, context));
    }
    QCOMPARE(doc->text(), m_original);
    QVERIFY(!doc->isModified());
    for (int i = 0; i < 10; ++i) {
        doc->undoStack()->redo();
        QVERIFY(pipelineMatchesText(*doc, context));
    }
    QCOMPARE(doc->text(), snapshots.last());
}

// Edits inside one job are read again for that job alone (GitlabCiReader::rereadEntry): through
// edits of two jobs, undo and redo, the pipeline stays what reading the text whole gives, every
// field of every job and every problem.
void tst_PipelineDocument::editsInsideOneJobReadAsTheWholeText()
{
    auto doc = loadDemo();
    QVERIFY(doc);
    const core::EvaluationContext context = testContext(m_dir->path());
    const auto matches = [&] {
        const core::Pipeline fresh = core::GitlabCiReader::readText(doc->text(), doc->filePath(), context);
        return !doc->pipeline().jobs.empty() && doc->pipeline().jobs == fresh.jobs &&
               doc->pipeline().problems == fresh.problems;
    };
    for (int i = 0; i < 3; ++i) {
        doc->push(new SetJobFieldCommand(doc.get(), QStringLiteral("train"), QStringLiteral("image"),
                                         QStringLiteral("python:3.1%1").arg(i)));
        QVERIFY(matches());
    }
    doc->push(new SetJobFieldCommand(doc.get(), QStringLiteral("evaluate"), QStringLiteral("stage"),
                                     QStringLiteral("nowhere")));
    QVERIFY(matches());
    QVERIFY(doc->pipeline().hasErrors()); // the unknown stage, found by validating the whole pipeline
    doc->undoStack()->undo();
    QVERIFY(matches());
    QVERIFY(!doc->pipeline().hasErrors());
    doc->undoStack()->undo();
    QVERIFY(matches());
    doc->undoStack()->redo();
    QVERIFY(matches());
    doc->undoStack()->redo();
    QVERIFY(matches());
    QVERIFY(doc->pipeline().hasErrors());
}

// The document takes the editor's reading of its text (tree and warnings) instead of reading the
// text again: a warning of that reading (a duplicate key) stays among the pipeline's problems.
void tst_PipelineDocument::readWarningsSurviveEdits()
{
    QFile file(m_dir->filePath(QStringLiteral(".gitlab-ci.yml")));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("stages: [build]\nbuild:\n  stage: build\n  image: a:1\n  script: [make]\n  script: [make all]\n");
    file.close();
    auto doc = loadDemo();
    QVERIFY(doc);
    const core::EvaluationContext context = testContext(m_dir->path());
    const auto hasDuplicateWarning = [&doc] {
        return std::any_of(doc->pipeline().problems.begin(), doc->pipeline().problems.end(),
                           [](const core::Error &e) { return e.message.contains(QLatin1String("duplicate key")); });
    };
    QVERIFY(hasDuplicateWarning());
    doc->push(
        new SetJobFieldCommand(doc.get(), QStringLiteral("build"), QStringLiteral("image"), QStringLiteral("b:2")));
    QCOMPARE(doc->pipeline().job(QStringLiteral("build"))->image.name, QStringLiteral("b:2"));
    QVERIFY(hasDuplicateWarning());
    QVERIFY(pipelineMatchesText(*doc, context));
    doc->undoStack()->undo();
    QCOMPARE(doc->pipeline().job(QStringLiteral("build"))->image.name, QStringLiteral("a:1"));
    QVERIFY(hasDuplicateWarning());
    QVERIFY(pipelineMatchesText(*doc, context));
}

void tst_PipelineDocument::fieldEditsMerge()
{
    auto doc = loadDemo();
    QVERIFY(doc);
    const QString train = QStringLiteral("train");
    const QString image = QStringLiteral("image");
    doc->push(new SetJobFieldCommand(doc.get(), train, image, QStringLiteral("a:1")));
    doc->push(new SetJobFieldCommand(doc.get(), train, image, QStringLiteral("a:12")));
    QCOMPARE(doc->undoStack()->count(), 1);
    QCOMPARE(doc->pipeline().job(train)->image.name, QStringLiteral("a:12"));
    // Another key, or another job, is another step.
    doc->push(new SetJobFieldCommand(doc.get(), train, QStringLiteral("timeout"), QStringLiteral("1h")));
    doc->push(
        new SetJobFieldCommand(doc.get(), QStringLiteral("evaluate"), QStringLiteral("timeout"), QStringLiteral("1h")));
    QCOMPARE(doc->undoStack()->count(), 3);
    doc->undoStack()->undo();
    doc->undoStack()->undo();
    doc->undoStack()->undo();
    QCOMPARE(doc->text(), m_original);

    // Typing back to the value it had makes the merged step disappear.
    doc->undoStack()->clear();
    const QString was = doc->pipeline().job(train)->image.name;
    QVERIFY(!was.isEmpty());
    doc->push(new SetJobFieldCommand(doc.get(), train, QStringLiteral("when"), QStringLiteral("manual")));
    doc->push(new SetJobFieldCommand(doc.get(), train, QStringLiteral("when"), QStringLiteral("always")));
    QCOMPARE(doc->undoStack()->count(), 1);
    doc->undoStack()->undo();
    QCOMPARE(doc->text(), m_original);
}

void tst_PipelineDocument::saveWritesBytesAndClearsModified()
{
    auto doc = loadDemo();
    QVERIFY(doc);
    QSignalSpy modified(doc.get(), &PipelineDocument::modifiedChanged);
    doc->push(
        new SetJobFieldCommand(doc.get(), QStringLiteral("train"), QStringLiteral("timeout"), QStringLiteral("2h")));
    QVERIFY(doc->isModified());
    QCOMPARE(modified.count(), 1);
    QCOMPARE(modified.last().at(0).toBool(), true);
    QVERIFY(doc->save());
    QVERIFY(!doc->isModified());
    QCOMPARE(modified.last().at(0).toBool(), false);
    QFile file(doc->filePath());
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), doc->text());
    doc->undoStack()->undo();
    QVERIFY(doc->isModified());
    QCOMPARE(doc->text(), m_original);
}

void tst_PipelineDocument::changedOnDiskSeesOtherEditors()
{
    auto doc = loadDemo();
    QVERIFY(doc);
    QVERIFY(!doc->changedOnDisk()); // as read
    QFile file(doc->filePath());
    QVERIFY(file.open(QIODevice::Append));
    file.write("# another editor was here\n");
    file.close();
    QVERIFY(doc->changedOnDisk());
    QVERIFY(doc->save()); // the window decides to write over it (it asks the user first)
    QVERIFY(!doc->changedOnDisk());
    QVERIFY(QFile::remove(doc->filePath()));
    QVERIFY(!doc->changedOnDisk()); // nothing there to overwrite

    // A new pipeline, and someone creates the file before it is saved.
    QTemporaryDir empty;
    auto created = PipelineDocument::create(empty.path(), testContext(empty.path()));
    QVERIFY(!created->changedOnDisk());
    QFile other(created->filePath());
    QVERIFY(other.open(QIODevice::WriteOnly));
    other.write("job:\n  script: [x]\n");
    other.close();
    QVERIFY(created->changedOnDisk());
}

void tst_PipelineDocument::cycleIsRefused()
{
    auto doc = loadDemo();
    QVERIFY(doc);
    QSignalSpy problems(doc.get(), &PipelineDocument::problem);
    // A redo history that a refused command must not cut off.
    doc->push(
        new SetJobFieldCommand(doc.get(), QStringLiteral("train"), QStringLiteral("timeout"), QStringLiteral("2h")));
    doc->undoStack()->undo();
    QVERIFY(doc->undoStack()->canRedo());

    doc->push(new AddNeedCommand(doc.get(), QStringLiteral("unit-tests"), QStringLiteral("export")));
    QCOMPARE(problems.count(), 1);
    const auto error = problems.last().at(0).value<core::Error>();
    QVERIFY2(error.message.contains(QStringLiteral("cycle")), qPrintable(error.message));
    QCOMPARE(error.job, QStringLiteral("unit-tests"));
    doc->push(new AddNeedCommand(doc.get(), QStringLiteral("train"), QStringLiteral("train")));
    QCOMPARE(problems.count(), 2);
    // Already there, unknown job: refused too.
    doc->push(new AddNeedCommand(doc.get(), QStringLiteral("evaluate"), QStringLiteral("train")));
    doc->push(new AddNeedCommand(doc.get(), QStringLiteral("evaluate"), QStringLiteral("nope")));
    QCOMPARE(problems.count(), 4);

    QCOMPARE(doc->text(), m_original);
    QCOMPARE(doc->undoStack()->count(), 1);
    QCOMPARE(doc->undoStack()->index(), 0);
    QVERIFY(doc->undoStack()->canRedo());
}

void tst_PipelineDocument::sharedAnchorIsRefused()
{
    const QByteArray text = "a: &base\n  stage: test\n  script:\n    - x\n\nb:\n  <<: *base\n  script:\n    - y\n";
    QFile file(m_dir->filePath(QStringLiteral(".gitlab-ci.yml")));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(text);
    file.close();
    auto doc = loadDemo();
    QVERIFY(doc);
    QSignalSpy problems(doc.get(), &PipelineDocument::problem);
    doc->push(new SetJobFieldCommand(doc.get(), QStringLiteral("a"), QStringLiteral("image"), QStringLiteral("x:1")));
    QCOMPARE(problems.count(), 1);
    QVERIFY(!problems.last().at(0).value<core::Error>().message.isEmpty());
    QCOMPARE(doc->undoStack()->count(), 0);
    QCOMPARE(doc->text(), text);
    // b has its own lines: editing it is fine.
    doc->push(new SetJobFieldCommand(doc.get(), QStringLiteral("b"), QStringLiteral("image"), QStringLiteral("x:1")));
    QCOMPARE(problems.count(), 1);
    QCOMPARE(doc->pipeline().job(QStringLiteral("b"))->image.name, QStringLiteral("x:1"));
    QVERIFY(doc->pipeline().job(QStringLiteral("a"))->image.name.isEmpty());
}

void tst_PipelineDocument::addNeedCreatesNeeds()
{
    auto doc = loadDemo();
    QVERIFY(doc);
    doc->push(new AddJobCommand(doc.get(), QStringLiteral("lint"), QStringLiteral("test")));
    QVERIFY(!doc->pipeline().job(QStringLiteral("lint"))->needs);
    const QByteArray before = doc->text();
    doc->push(new AddNeedCommand(doc.get(), QStringLiteral("lint"), QStringLiteral("unit-tests")));
    QCOMPARE(needsOf(doc->pipeline(), QStringLiteral("lint")), QStringList{QStringLiteral("unit-tests")});
    QVERIFY(onlyJobChanged(before, doc->text(), QStringLiteral("lint")));
    QCOMPARE(doc->undoStack()->count(), 2);
    // Adding a job with a bad name or stage is refused.
    QSignalSpy problems(doc.get(), &PipelineDocument::problem);
    doc->push(new AddJobCommand(doc.get(), QStringLiteral("lint"), QStringLiteral("test")));
    doc->push(new AddJobCommand(doc.get(), QStringLiteral("x"), QStringLiteral("nostage")));
    doc->push(new AddJobCommand(doc.get(), QStringLiteral("variables"), QStringLiteral("test")));
    QCOMPARE(problems.count(), 3);
    QCOMPARE(doc->undoStack()->count(), 2);
}

void tst_PipelineDocument::removeWithNeedsReferences()
{
    auto doc = loadDemo();
    QVERIFY(doc);
    doc->push(new RemoveJobCommand(doc.get(), QStringLiteral("train"), true));
    QCOMPARE(doc->undoStack()->count(), 1);
    QVERIFY(!doc->pipeline().job(QStringLiteral("train")));
    QVERIFY(!doc->text().contains("\ntrain:"));
    QCOMPARE(needsOf(doc->pipeline(), QStringLiteral("evaluate")), QStringList());
    QCOMPARE(needsOf(doc->pipeline(), QStringLiteral("export")), QStringList{QStringLiteral("evaluate")});
    QVERIFY2(!doc->pipeline().hasErrors(), qPrintable(errorsOf(doc->pipeline())));
    doc->undoStack()->undo();
    QCOMPARE(doc->text(), m_original);

    // Without the references: they stay, and the reader reports them.
    doc->push(new RemoveJobCommand(doc.get(), QStringLiteral("train"), false));
    QCOMPARE(needsOf(doc->pipeline(), QStringLiteral("evaluate")), QStringList{QStringLiteral("train")});
    QVERIFY(doc->pipeline().hasErrors());
    QVERIFY(onlyJobChanged(m_original, doc->text(), QStringLiteral("train")));
    doc->undoStack()->undo();
    QCOMPARE(doc->text(), m_original);

    // The one need with options is the one removed: the rest can be written plainly.
    doc->push(new RemoveJobCommand(doc.get(), QStringLiteral("unit-tests"), true));
    QCOMPARE(doc->pipeline().job(QStringLiteral("train"))->needs->size(), size_t(0));
    QVERIFY2(!doc->pipeline().hasErrors(), qPrintable(errorsOf(doc->pipeline())));
}

void tst_PipelineDocument::renameUpdatesReferences()
{
    auto doc = loadDemo();
    QVERIFY(doc);
    doc->push(new RenameJobCommand(doc.get(), QStringLiteral("train"), QStringLiteral("fit")));
    QCOMPARE(doc->undoStack()->count(), 1);
    QVERIFY(!doc->pipeline().job(QStringLiteral("train")));
    QVERIFY(doc->pipeline().job(QStringLiteral("fit")));
    QCOMPARE(needsOf(doc->pipeline(), QStringLiteral("evaluate")), QStringList{QStringLiteral("fit")});
    QCOMPARE(needsOf(doc->pipeline(), QStringLiteral("export")),
             (QStringList{QStringLiteral("fit"), QStringLiteral("evaluate")}));
    QVERIFY2(!doc->pipeline().hasErrors(), qPrintable(errorsOf(doc->pipeline())));
    doc->undoStack()->undo();
    QCOMPARE(doc->text(), m_original);

    QSignalSpy problems(doc.get(), &PipelineDocument::problem);
    doc->push(new RenameJobCommand(doc.get(), QStringLiteral("train"), QStringLiteral("evaluate")));
    doc->push(new RenameJobCommand(doc.get(), QStringLiteral("nope"), QStringLiteral("other")));
    QCOMPARE(problems.count(), 2);
    QCOMPARE(doc->text(), m_original);
}

void tst_PipelineDocument::renameKeepsOptionedNeeds()
{
    // train needs unit-tests with `artifacts: false`: a plain rewrite would lose it, so it is refused.
    auto doc = loadDemo();
    QVERIFY(doc);
    QSignalSpy problems(doc.get(), &PipelineDocument::problem);
    doc->push(new RenameJobCommand(doc.get(), QStringLiteral("unit-tests"), QStringLiteral("tests")));
    QCOMPARE(problems.count(), 1);
    QVERIFY(problems.last().at(0).value<core::Error>().message.contains(QStringLiteral("options")));
    QCOMPARE(doc->text(), m_original);
    QCOMPARE(doc->undoStack()->count(), 0);
}

void tst_PipelineDocument::duplicate()
{
    auto doc = loadDemo();
    QVERIFY(doc);
    auto *first = new DuplicateJobCommand(doc.get(), QStringLiteral("train"));
    QCOMPARE(first->copyName(), QStringLiteral("train-copy"));
    doc->push(first);
    const core::Job *copy = doc->pipeline().job(QStringLiteral("train-copy"));
    QVERIFY(copy);
    const core::Job *train = doc->pipeline().job(QStringLiteral("train"));
    QCOMPARE(copy->script, train->script);
    QCOMPARE(copy->stage, train->stage);
    QCOMPARE(copy->artifacts.paths, train->artifacts.paths);
    QCOMPARE(copy->needs->size(), size_t(1));
    QCOMPARE(copy->needs->front().artifacts, false);
    QVERIFY(onlyJobChanged(m_original, doc->text(), QStringLiteral("train-copy")));
    // Right after the original.
    QVERIFY(doc->text().indexOf("\ntrain-copy:") < doc->text().indexOf("\nevaluate:"));

    auto *second = new DuplicateJobCommand(doc.get(), QStringLiteral("train"));
    QCOMPARE(second->copyName(), QStringLiteral("train-copy-2"));
    doc->push(second);
    QVERIFY(doc->pipeline().job(QStringLiteral("train-copy-2")));
    QVERIFY2(!doc->pipeline().hasErrors(), qPrintable(errorsOf(doc->pipeline())));
    doc->undoStack()->undo();
    doc->undoStack()->undo();
    QCOMPARE(doc->text(), m_original);
}

void tst_PipelineDocument::stagesRenameMovesJobs()
{
    auto doc = loadDemo();
    QVERIFY(doc);
    const QString test = QStringLiteral("test");
    const QString evaluate = QStringLiteral("evaluate");
    const QString exportStage = QStringLiteral("export");
    // Renamed in place: train's jobs follow.
    doc->push(new SetStagesCommand(doc.get(), {test, QStringLiteral("fit"), evaluate, exportStage}));
    QCOMPARE(doc->undoStack()->count(), 1);
    QVERIFY(doc->pipeline().stages.contains(QStringLiteral("fit")));
    QVERIFY(!doc->pipeline().stages.contains(QStringLiteral("train")));
    QCOMPARE(doc->pipeline().job(QStringLiteral("train"))->stage, QStringLiteral("fit"));
    QVERIFY2(!doc->pipeline().hasErrors(), qPrintable(errorsOf(doc->pipeline())));
    doc->undoStack()->undo();
    QCOMPARE(doc->text(), m_original);

    // Renamed explicitly while reordering and adding one.
    doc->push(new SetStagesCommand(
        doc.get(), {QStringLiteral("prepare"), QStringLiteral("unit"), QStringLiteral("train"), evaluate, exportStage},
        {{test, QStringLiteral("unit")}}));
    QCOMPARE(doc->pipeline().job(QStringLiteral("unit-tests"))->stage, QStringLiteral("unit"));
    QCOMPARE(doc->pipeline().stageIndex(QStringLiteral("prepare")) + 1,
             doc->pipeline().stageIndex(QStringLiteral("unit")));
    QVERIFY2(!doc->pipeline().hasErrors(), qPrintable(errorsOf(doc->pipeline())));
    doc->undoStack()->undo();
    QCOMPARE(doc->text(), m_original);
}

void tst_PipelineDocument::stagesRefuseStrandingJobs()
{
    auto doc = loadDemo();
    QVERIFY(doc);
    QSignalSpy problems(doc.get(), &PipelineDocument::problem);
    doc->push(new SetStagesCommand(doc.get(), {QStringLiteral("test"), QStringLiteral("train")}));
    doc->push(new SetStagesCommand(doc.get(), {QStringLiteral("test"), QStringLiteral("test")}));
    doc->push(new SetStagesCommand(doc.get(), {}));
    QCOMPARE(problems.count(), 3);
    QVERIFY(problems.first().at(0).value<core::Error>().message.contains(QStringLiteral("evaluate")));
    QCOMPARE(doc->text(), m_original);
    QCOMPARE(doc->undoStack()->count(), 0);
}

void tst_PipelineDocument::numberEditsMerge()
{
    auto doc = loadDemo();
    QVERIFY(doc);
    const QString train = QStringLiteral("train");
    doc->push(new SetJobNumberCommand(doc.get(), train, QStringLiteral("retry"), 1));
    doc->push(new SetJobNumberCommand(doc.get(), train, QStringLiteral("retry"), 2));
    QCOMPARE(doc->undoStack()->count(), 1);
    QCOMPARE(doc->pipeline().job(train)->retry.max, 2);
    QVERIFY(doc->text().contains("\n  retry: 2\n"));
    doc->undoStack()->undo();
    QCOMPARE(doc->text(), m_original);
    // A flag reads back as a boolean, not as the string "true".
    doc->push(new SetJobFlagCommand(doc.get(), train, QStringLiteral("allow_failure"), true));
    QVERIFY(doc->text().contains("\n  allow_failure: true\n"));
    QVERIFY(doc->pipeline().job(train)->allowFailure);
    QVERIFY2(!doc->pipeline().hasErrors(), qPrintable(errorsOf(doc->pipeline())));
}

void tst_PipelineDocument::trainyardSettings()
{
    auto doc = loadDemo();
    QVERIFY(doc);
    QSignalSpy problems(doc.get(), &PipelineDocument::problem);
    const QString train = QStringLiteral("train");
    const QString gpus = QStringLiteral("gpus");
    doc->push(new SetTrainyardJobSettingCommand(doc.get(), train, gpus, 2));
    doc->push(new SetTrainyardJobSettingCommand(doc.get(), train, gpus, 3));
    QCOMPARE(doc->undoStack()->count(), 1); // spin box steps merge
    QCOMPARE(doc->pipeline().job(train)->trainyard.gpus, 3);
    QCOMPARE(doc->pipeline().job(train)->gpuCount(), 3);
    QVERIFY(onlyJobChanged(m_original, doc->text(), QStringLiteral(".trainyard")));
    // Another setting of the same job is another step; an empty value removes it.
    doc->push(new SetTrainyardJobSettingCommand(doc.get(), train, QStringLiteral("tensorboard"), QString()));
    QCOMPARE(doc->undoStack()->count(), 2);
    QVERIFY(doc->pipeline().job(train)->trainyard.tensorboard.isEmpty());
    doc->push(new SetTrainyardJobSettingCommand(doc.get(), train, gpus, QStringLiteral("all")));
    QCOMPARE(doc->pipeline().job(train)->trainyard.gpus, -1);
    QVERIFY2(!doc->pipeline().hasErrors(), qPrintable(errorsOf(doc->pipeline())));
    while (doc->undoStack()->canUndo())
        doc->undoStack()->undo();
    QCOMPARE(doc->text(), m_original);

    // A job without settings gets an entry; setting it back to 0 is no step at all.
    const QString unit = QStringLiteral("unit-tests");
    doc->push(new SetTrainyardJobSettingCommand(doc.get(), unit, gpus, 1));
    QVERIFY(doc->text().contains("\n    unit-tests:\n      gpus: 1\n"));
    QCOMPARE(doc->pipeline().job(unit)->gpuCount(), 1);
    doc->push(new SetTrainyardJobSettingCommand(doc.get(), unit, gpus, 0));
    QCOMPARE(doc->text(), m_original);
    QCOMPARE(doc->undoStack()->count(), 0);
    QCOMPARE(problems.count(), 0);
}

void tst_PipelineDocument::variablesWriteOnlyWhatDiffers()
{
    const QByteArray text = ".base:\n  variables:\n    A: \"1\"\n    B: \"2\"\n\n"
                            "job:\n  extends: .base\n  variables:\n    C: \"3\"  # own\n  script:\n    - x\n";
    QFile file(m_dir->filePath(QStringLiteral(".gitlab-ci.yml")));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(text);
    file.close();
    auto doc = loadDemo();
    QVERIFY(doc);
    QSignalSpy problems(doc.get(), &PipelineDocument::problem);
    const QString job = QStringLiteral("job");
    const auto entries = [](const QString &list) {
        core::YamlEditor::ScalarEntries out;
        for (const QString &item : list.split(QLatin1Char('|')))
            out.append({item.section(QLatin1Char('='), 0, 0), item.section(QLatin1Char('='), 1)});
        return out;
    };
    doc->push(new SetJobVariablesCommand(doc.get(), job, entries(QStringLiteral("A=1|B=20|C=3|D=4"))));
    QCOMPARE(problems.count(), 0);
    // A is what the template gives: it stays the template's. The own C keeps its line.
    QCOMPARE(doc->text(), QByteArray(".base:\n  variables:\n    A: \"1\"\n    B: \"2\"\n\n"
                                     "job:\n  extends: .base\n  variables:\n    B: \"20\"\n    C: \"3\"  # own\n"
                                     "    D: \"4\"\n  script:\n    - x\n"));
    QCOMPARE(observe(doc->pipeline(), job, QStringLiteral("variables")), QStringLiteral("A=1|B=20|C=3|D=4"));
    // The template's A cannot be removed for this job alone.
    doc->push(new SetJobVariablesCommand(doc.get(), job, entries(QStringLiteral("B=20|C=3|D=4"))));
    QCOMPARE(problems.count(), 1);
    QVERIFY2(problems.last().at(0).value<core::Error>().message.contains(QStringLiteral("template")),
             qPrintable(problems.last().at(0).value<core::Error>().message));
    QCOMPARE(doc->undoStack()->count(), 1);
    // Back to just what the template gives: the job's own variables go.
    doc->push(new SetJobVariablesCommand(doc.get(), job, entries(QStringLiteral("A=1|B=2"))));
    QVERIFY(!doc->text().contains("job:\n  extends: .base\n  variables:"));
    QCOMPARE(observe(doc->pipeline(), job, QStringLiteral("variables")), QStringLiteral("A=1|B=2"));
    QVERIFY(onlyJobChanged(text, doc->text(), job));
    doc->undoStack()->undo();
    doc->undoStack()->undo();
    QCOMPARE(doc->text(), text);
}

void tst_PipelineDocument::artifactsFromTemplateCannotBeCleared()
{
    const QByteArray text = ".base:\n  artifacts:\n    paths: [out/]\n\njob:\n  extends: .base\n  script: [x]\n";
    QFile file(m_dir->filePath(QStringLiteral(".gitlab-ci.yml")));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(text);
    file.close();
    auto doc = loadDemo();
    QVERIFY(doc);
    QSignalSpy problems(doc.get(), &PipelineDocument::problem);
    doc->push(new SetJobArtifactsPathsCommand(doc.get(), QStringLiteral("job"), {}));
    QCOMPARE(problems.count(), 1);
    QCOMPARE(doc->text(), text);
    // Overriding them works: extends merges the job's artifacts over the template's.
    doc->push(new SetJobArtifactsPathsCommand(doc.get(), QStringLiteral("job"), {QStringLiteral("mine/")}));
    QCOMPARE(doc->pipeline().job(QStringLiteral("job"))->artifacts.paths, QStringList{QStringLiteral("mine/")});
    QVERIFY(onlyJobChanged(text, doc->text(), QStringLiteral("job")));
}

void tst_PipelineDocument::inlineThenEditIsOneMacro()
{
    const QByteArray text = ".t: &t\n  stage: test\n  script:\n    - x\nj: *t\nk: *t\n";
    QFile file(m_dir->filePath(QStringLiteral(".gitlab-ci.yml")));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(text);
    file.close();
    auto doc = loadDemo();
    QVERIFY(doc);
    QSignalSpy problems(doc.get(), &PipelineDocument::problem);
    const QString j = QStringLiteral("j");
    doc->push(new SetJobFieldCommand(doc.get(), j, QStringLiteral("image"), QStringLiteral("alpine:3")));
    QCOMPARE(problems.count(), 1);
    QVERIFY(problems.last().at(0).value<core::Error>().message.contains(QStringLiteral("alias")));
    doc->undoStack()->beginMacro(QStringLiteral("inline and edit"));
    doc->push(new InlineKeyCommand(doc.get(), j, QStringLiteral("image")));
    doc->push(new SetJobFieldCommand(doc.get(), j, QStringLiteral("image"), QStringLiteral("alpine:3")));
    doc->undoStack()->endMacro();
    QCOMPARE(problems.count(), 1);
    QCOMPARE(doc->undoStack()->count(), 1);
    QCOMPARE(doc->pipeline().job(j)->image.name, QStringLiteral("alpine:3"));
    QVERIFY(doc->pipeline().job(QStringLiteral("k"))->image.name.isEmpty());
    QVERIFY(onlyJobChanged(text, doc->text(), j));
    doc->undoStack()->undo();
    QCOMPARE(doc->text(), text);
    doc->undoStack()->redo();
    QCOMPARE(doc->pipeline().job(j)->image.name, QStringLiteral("alpine:3"));
}

void tst_PipelineDocument::renameMovesTrainyardSettings()
{
    auto doc = loadDemo();
    QVERIFY(doc);
    doc->push(new RenameJobCommand(doc.get(), QStringLiteral("train"), QStringLiteral("fit")));
    QCOMPARE(doc->undoStack()->count(), 1);
    const core::Job *fit = doc->pipeline().job(QStringLiteral("fit"));
    QVERIFY(fit);
    QCOMPARE(fit->trainyard.tensorboard, QStringLiteral("logs"));
    QCOMPARE(fit->trainyard.memory, QStringLiteral("512m"));
    QVERIFY(doc->text().contains("\n  jobs:\n    fit:\n      tensorboard: logs\n"));
    QVERIFY2(!doc->pipeline().hasErrors(), qPrintable(errorsOf(doc->pipeline())));
    doc->undoStack()->undo();
    QCOMPARE(doc->text(), m_original);
}

QTEST_MAIN(tst_PipelineDocument)
#include "tst_pipelinedocument.moc"
