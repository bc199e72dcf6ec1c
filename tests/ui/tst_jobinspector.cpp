// The job inspector on the offscreen platform: its real widgets edit a copy of the offline demo's
// pipeline through the document's undo stack, change exactly the intended lines, follow undo and
// redo, and explain refused edits inline (offering to inline a shared alias).
#include "document/pipelinecommands.h"
#include "document/pipelinedocument.h"
#include "inspector/jobinspector.h"
#include "inspector/listedit.h"
#include "inspector/messagebar.h"
#include "inspector/needseditor.h"
#include "inspector/pipelinesettingsview.h"
#include "inspector/variablestable.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFontDatabase>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>
#include <QUndoStack>

using namespace trainyard;
using namespace trainyard::ui;
using namespace Qt::StringLiterals;

namespace {

core::EvaluationContext testContext(const QString &dir)
{
    core::EvaluationContext ctx;
    ctx.projectDir = dir;
    ctx.branch = u"main"_s;
    ctx.predefined.insert(u"CI_COMMIT_BRANCH"_s, ctx.branch);
    ctx.predefined.insert(u"CI_COMMIT_REF_NAME"_s, ctx.branch);
    ctx.predefined.insert(u"CI_DEFAULT_BRANCH"_s, u"main"_s);
    ctx.predefined.insert(u"CI_PIPELINE_SOURCE"_s, u"push"_s);
    ctx.setProjectFiles({});
    ctx.setChangedFiles(std::nullopt);
    return ctx;
}

/// `text` with `before` replaced by `after`, which must occur exactly once.
QByteArray replacedOnce(const QByteArray &text, const QByteArray &before, const QByteArray &after)
{
    if (text.count(before) != 1)
        qFatal("'%s' is not in the text exactly once", before.constData());
    QByteArray out = text;
    return out.replace(before, after);
}

/// Where two texts first differ, line by line, for failure messages.
QByteArray firstDifference(const QByteArray &actual, const QByteArray &expected)
{
    const QList<QByteArray> a = actual.split('\n');
    const QList<QByteArray> e = expected.split('\n');
    for (qsizetype i = 0; i < qMax(a.size(), e.size()); ++i) {
        const QByteArray x = a.value(i, "<end>");
        const QByteArray y = e.value(i, "<end>");
        if (x != y)
            return "line " + QByteArray::number(i + 1) + ":\n  actual:   " + x + "\n  expected: " + y;
    }
    return {};
}

} // namespace

/// Compares document texts and, when they differ, says on which line.
#define COMPARE_TEXT(actual, expected)                                                                                 \
    do {                                                                                                               \
        const QByteArray a_ = (actual);                                                                                \
        const QByteArray e_ = (expected);                                                                              \
        QVERIFY2(a_ == e_, firstDifference(a_, e_).constData());                                                       \
    } while (false)

namespace {

/// Types `text` into a line edit as a user would (replacing what is there) and presses Return.
void typeAndReturn(QLineEdit *edit, const QString &text)
{
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Delete);
    QTest::keyClicks(edit, text);
    QTest::keyClick(edit, Qt::Key_Return);
}

} // namespace

class tst_JobInspector final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void emptyStates();
    void showsEffectiveValuesAndOrigins();
    void imageEditUndoRedo();
    void scriptEditorApplies();
    void variablesTableEdits();
    void pipelineSettingsEditVariablesAndImage();
    void artifactsPaths();
    void whenAllowFailureRetryTimeout();
    void trainyardGpusAndTensorboard();
    void needsAddAndRemove();
    void renameFromNameField();
    void formFollowsUndoRedoAndKeepsTyping();
    void sharedAliasRefusedThenInlined();
    void sharedAnchorRefusedWithoutInline();
    void inheritsListsTemplate();

private:
    void loadText(const QByteArray &text);
    template <typename T> T *field(const QString &name) const
    {
        T *w = m_inspector->findChild<T *>(name);
        if (!w)
            qFatal("no field %s", qPrintable(name));
        return w;
    }
    QUndoStack *stack() const { return m_doc->undoStack(); }

    std::unique_ptr<QTemporaryDir> m_dir;
    QByteArray m_original;
    std::unique_ptr<PipelineDocument> m_doc;
    std::unique_ptr<JobInspector> m_inspector;
};

void tst_JobInspector::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QFile demo(QStringLiteral(TRAINYARD_SOURCE_DIR "/resources/examples/offline-demo/.gitlab-ci.yml"));
    QVERIFY(demo.open(QIODevice::ReadOnly));
    loadText(demo.readAll());
}

void tst_JobInspector::cleanup()
{
    m_inspector.reset();
    m_doc.reset();
    m_dir.reset();
}

void tst_JobInspector::loadText(const QByteArray &text)
{
    m_inspector.reset();
    m_doc.reset();
    QFile copy(m_dir->filePath(u".gitlab-ci.yml"_s));
    QVERIFY(copy.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(copy.write(text), text.size());
    copy.close();
    auto doc = PipelineDocument::load(m_dir->path(), testContext(m_dir->path()));
    QVERIFY2(doc, doc ? "" : qPrintable(doc.error().toString()));
    m_doc = std::move(*doc);
    m_original = text;
    m_inspector = std::make_unique<JobInspector>(m_doc.get());
    m_inspector->resize(420, 900);
    m_inspector->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_inspector.get()));
}

void tst_JobInspector::emptyStates()
{
    JobInspector bare;
    auto *placeholder = bare.findChild<QLabel *>(u"placeholder"_s);
    QVERIFY(placeholder);
    QVERIFY(placeholder->text().contains(u"No pipeline"_s));
    QVERIFY(!bare.findChild<QWidget *>(u"form"_s)->isEnabled());

    auto *pages = m_inspector->findChild<QStackedWidget *>();
    QVERIFY(m_inspector->job().isEmpty());
    // No job selected: the pipeline's own settings.
    QVERIFY(m_inspector->pipelineSettings()->isVisible());
    QVERIFY(pages->currentWidget()->isAncestorOf(m_inspector->pipelineSettings()));
    QVERIFY(!field<QWidget>(u"form"_s)->isEnabled());
    m_inspector->setJob(u"train"_s);
    QVERIFY(field<QWidget>(u"form"_s)->isEnabled());
    QVERIFY(pages->currentWidget() != field<QLabel>(u"placeholder"_s));
    m_inspector->setJob(u"nope"_s);
    QVERIFY(field<QLabel>(u"placeholder"_s)->text().contains(u"no job 'nope'"_s));
    QVERIFY(!field<QWidget>(u"form"_s)->isEnabled());
    // The document going away leaves the empty state, not a dangling pointer.
    m_inspector->setJob(u"train"_s);
    m_doc.reset();
    QVERIFY(field<QLabel>(u"placeholder"_s)->text().contains(u"No pipeline"_s));
    QVERIFY(!m_inspector->document());
}

void tst_JobInspector::showsEffectiveValuesAndOrigins()
{
    m_inspector->setJob(u"train"_s);
    QCOMPARE(field<QLineEdit>(u"name"_s)->text(), u"train"_s);
    QCOMPARE(field<QComboBox>(u"stage"_s)->currentText(), u"train"_s);
    // The image comes from `default:`, and the form says so.
    QCOMPARE(field<QLineEdit>(u"image"_s)->text(), u"trainyard-demo/trainer:1"_s);
    auto *origin = field<QLabel>(u"origin:image"_s);
    QVERIFY(origin->isVisible());
    QCOMPARE(origin->text(), u"from default"_s);
    QVERIFY(!field<QLabel>(u"origin:stage"_s)->isVisible());
    QCOMPARE(field<ListEdit>(u"script"_s)->items().size(), 1);
    QVERIFY(field<ListEdit>(u"script"_s)->items().first().startsWith(u"trainer train"_s));
    QCOMPARE(field<ListEdit>(u"artifactsPaths"_s)->items(), (QStringList{u"models/"_s, u"logs/"_s}));
    QCOMPARE(field<QComboBox>(u"when"_s)->currentText(), u"on_success"_s);
    QCOMPARE(field<QLineEdit>(u"tensorboard"_s)->text(), u"logs"_s);
    QCOMPARE(field<QSpinBox>(u"gpus"_s)->value(), 0);
    auto *needs = field<NeedsEditor>(u"needs"_s);
    QVERIFY(needs->removeButton(u"unit-tests"_s));
    auto *monospace = field<ListEdit>(u"script"_s)->editor();
    QCOMPARE(monospace->font().family(), QFontDatabase::systemFont(QFontDatabase::FixedFont).family());

    if (qEnvironmentVariableIsSet("TRAINYARD_INSPECTOR_SCREENSHOT")) {
        m_inspector->resize(420, 1700);
        m_inspector->grab().save(qEnvironmentVariable("TRAINYARD_INSPECTOR_SCREENSHOT"));
    }

    m_inspector->setJob(u"export"_s);
    QCOMPARE(field<QComboBox>(u"when"_s)->currentText(), u"manual"_s);
    QVERIFY(field<QCheckBox>(u"allowFailure"_s)->isChecked()); // manual jobs allow failure by default
}

void tst_JobInspector::imageEditUndoRedo()
{
    m_inspector->setJob(u"train"_s);
    auto *image = field<QLineEdit>(u"image"_s);
    typeAndReturn(image, u"python:3.12-slim"_s);
    const QByteArray expected =
        replacedOnce(m_original, "    expire_in: 1 week\n", "    expire_in: 1 week\n  image: python:3.12-slim\n");
    COMPARE_TEXT(m_doc->text(), expected);
    QCOMPARE(stack()->count(), 1);
    QVERIFY(!field<QLabel>(u"origin:image"_s)->isVisible()); // the job's own now
    stack()->undo();
    COMPARE_TEXT(m_doc->text(), m_original);
    QCOMPARE(image->text(), u"trainyard-demo/trainer:1"_s);
    QVERIFY(field<QLabel>(u"origin:image"_s)->isVisible());
    stack()->redo();
    COMPARE_TEXT(m_doc->text(), expected);
    QCOMPARE(image->text(), u"python:3.12-slim"_s);
    // Return again without a change is no new step.
    QTest::keyClick(image, Qt::Key_Return);
    QCOMPARE(stack()->count(), 1);
    // Clearing the job's own image removes the key: the default shows again.
    typeAndReturn(image, QString());
    COMPARE_TEXT(m_doc->text(), m_original);
    QCOMPARE(image->text(), u"trainyard-demo/trainer:1"_s);
}

void tst_JobInspector::scriptEditorApplies()
{
    m_inspector->setJob(u"evaluate"_s);
    auto *script = field<ListEdit>(u"script"_s);
    QVERIFY(!script->applyButton()->isEnabled());
    script->editor()->setPlainText(u"trainer evaluate --quick\n\necho \"done: ok\"\n"_s);
    QVERIFY(script->applyButton()->isEnabled());
    QTest::mouseClick(script->applyButton(), Qt::LeftButton);
    const QByteArray expected = replacedOnce(
        m_original,
        "    - trainer evaluate --data /data/input/test.csv --model models/model.txt --min-accuracy 0.85 --report "
        "metrics.json\n",
        "    - trainer evaluate --quick\n    - \"echo \\\"done: ok\\\"\"\n");
    COMPARE_TEXT(m_doc->text(), expected);
    QCOMPARE(m_doc->pipeline().job(u"evaluate"_s)->script,
             (QStringList{u"trainer evaluate --quick"_s, u"echo \"done: ok\""_s}));
    QVERIFY(!script->applyButton()->isEnabled());
    stack()->undo();
    COMPARE_TEXT(m_doc->text(), m_original);
    QCOMPARE(script->items().size(), 1);
    QVERIFY(script->items().first().contains(u"--min-accuracy"_s));
    // Ctrl+Return applies too; a before_script is added to the job.
    auto *before = field<ListEdit>(u"beforeScript"_s);
    before->editor()->setPlainText(u"nvidia-smi"_s);
    QTest::keyClick(before->editor(), Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(m_doc->pipeline().job(u"evaluate"_s)->beforeScript, QStringList{u"nvidia-smi"_s});
    QCOMPARE(stack()->count(), 1);
    // An empty script is refused in the bar, the document untouched.
    const QByteArray now = m_doc->text();
    script->editor()->setPlainText(QString());
    QTest::mouseClick(script->applyButton(), Qt::LeftButton);
    QVERIFY(m_inspector->messageBar()->isVisible());
    COMPARE_TEXT(m_doc->text(), now);
}

void tst_JobInspector::variablesTableEdits()
{
    m_inspector->setJob(u"train"_s);
    auto *table = field<QTableWidget>(u"variablesTable"_s);
    // The demo's variables are the pipeline's: the job inherits them, shown in italics.
    QCOMPARE(table->rowCount(), 3);
    QCOMPARE(table->item(0, 0)->text(), u"EPOCHS"_s);
    QVERIFY(table->item(0, 0)->font().italic());
    QVERIFY(table->item(0, 0)->toolTip().contains(u"from the pipeline's variables"_s));
    QTest::mouseClick(field<QPushButton>(u"addVariable"_s), Qt::LeftButton);
    QCOMPARE(stack()->count(), 1);
    QVERIFY2(m_doc->text().contains("    expire_in: 1 week\n  variables:\n    NEW_VARIABLE: \"\"\n"),
             m_doc->text().constData());
    QCOMPARE(table->rowCount(), 4); // its own first, then what it inherits
    QCOMPARE(table->item(0, 0)->text(), u"NEW_VARIABLE"_s);
    if (QWidget *editor = QApplication::focusWidget(); editor && table->isAncestorOf(editor))
        QTest::keyClick(editor, Qt::Key_Escape); // the name cell opened for typing; leave it

    table->item(0, 0)->setText(u"BATCH"_s);
    table->item(0, 1)->setText(u"64"_s);
    COMPARE_TEXT(m_doc->text(), replacedOnce(m_original, "    expire_in: 1 week\n",
                                             "    expire_in: 1 week\n  variables:\n    BATCH: \"64\"\n"));
    QCOMPARE(m_doc->pipeline().job(u"train"_s)->variables.size(), size_t(1));
    QCOMPARE(m_doc->pipeline().job(u"train"_s)->variables.front().value, u"64"_s);
    // Adding it, naming it and giving it a value is one undo step, named for what it did.
    QCOMPARE(stack()->count(), 1);
    QCOMPARE(stack()->undoText(), u"Add variable BATCH to train"_s);
    table->item(0, 1)->setText(u"32"_s);
    QCOMPARE(stack()->count(), 1); // still the row just added
    table->item(1, 1)->setText(u"7"_s);
    QCOMPARE(stack()->count(), 2); // another variable: a step of its own
    QCOMPARE(stack()->undoText(), u"Set EPOCHS in train"_s);
    stack()->undo();
    table->item(0, 1)->setText(u"64"_s);
    const int steps = stack()->count();

    table->selectRow(0);
    QTest::mouseClick(field<QPushButton>(u"removeVariable"_s), Qt::LeftButton);
    QCOMPARE(stack()->count(), steps + 1);
    QCOMPARE(stack()->undoText(), u"Remove variable BATCH from train"_s);
    QVERIFY(m_doc->pipeline().job(u"train"_s)->variables.empty());
    COMPARE_TEXT(m_doc->text(), m_original); // no variables left: no `variables:` either
    while (stack()->canUndo())
        stack()->undo();
    COMPARE_TEXT(m_doc->text(), m_original);
    QCOMPARE(table->rowCount(), 3);

    // An inherited value changed here becomes the job's own, over the pipeline's.
    table->item(0, 1)->setText(u"5"_s);
    COMPARE_TEXT(m_doc->text(), replacedOnce(m_original, "    expire_in: 1 week\n",
                                             "    expire_in: 1 week\n  variables:\n    EPOCHS: \"5\"\n"));
    stack()->undo();
    COMPARE_TEXT(m_doc->text(), m_original);
}

void tst_JobInspector::pipelineSettingsEditVariablesAndImage()
{
    m_inspector->setJob(QString()); // a click on the empty canvas
    PipelineSettingsView *settings = m_inspector->pipelineSettings();
    QVERIFY(settings->isVisible());
    QTableWidget *table = settings->variables()->table();
    QCOMPARE(table->rowCount(), 3);
    QCOMPARE(table->item(1, 0)->text(), u"LEARNING_RATE"_s);
    QCOMPARE(table->item(1, 1)->text(), u"0.1"_s);
    QCOMPARE(settings->defaultImage()->text(), u"trainyard-demo/trainer:1"_s);
    QVERIFY(settings->stages()->text().contains(u"test → train → evaluate → export"_s));
    QVERIFY(settings->trainyardSettings()->text().contains(u"data input"_s));

    // One edit, one undo step; only that line changes.
    table->item(1, 1)->setText(u"0.05"_s);
    QCOMPARE(stack()->count(), 1);
    QCOMPARE(stack()->undoText(), u"Set LEARNING_RATE in the pipeline"_s);
    COMPARE_TEXT(m_doc->text(), replacedOnce(m_original, "  LEARNING_RATE: \"0.1\"\n", "  LEARNING_RATE: \"0.05\"\n"));
    QCOMPARE(m_doc->pipeline().variables.at(1).value, u"0.05"_s);
    // The default image, through the undo stack too.
    typeAndReturn(settings->defaultImage(), u"trainyard-demo/trainer:2"_s);
    QCOMPARE(stack()->count(), 2);
    COMPARE_TEXT(m_doc->text(),
                 replacedOnce(replacedOnce(m_original, "  LEARNING_RATE: \"0.1\"\n", "  LEARNING_RATE: \"0.05\"\n"),
                              "  image: trainyard-demo/trainer:1\n", "  image: trainyard-demo/trainer:2\n"));
    QCOMPARE(m_doc->pipeline().job(u"train"_s)->image.name, u"trainyard-demo/trainer:2"_s);
    stack()->undo();
    stack()->undo();
    COMPARE_TEXT(m_doc->text(), m_original);
    QCOMPARE(table->item(1, 1)->text(), u"0.1"_s); // the view follows undo

    // A variable added, named and given a value: one step.
    QTest::mouseClick(settings->variables()->addButton(), Qt::LeftButton);
    if (QWidget *editor = QApplication::focusWidget(); editor && table->isAncestorOf(editor))
        QTest::keyClick(editor, Qt::Key_Escape);
    table->item(3, 0)->setText(u"BATCH"_s);
    table->item(3, 1)->setText(u"64"_s);
    QCOMPARE(stack()->count(), 1);
    QCOMPARE(stack()->undoText(), u"Add variable BATCH to the pipeline"_s);
    QCOMPARE(m_doc->pipeline().variables.back().value, u"64"_s);
    stack()->undo();
    COMPARE_TEXT(m_doc->text(), m_original);
    QCOMPARE(settings->defaultImage()->text(), u"trainyard-demo/trainer:1"_s);
}

void tst_JobInspector::artifactsPaths()
{
    m_inspector->setJob(u"evaluate"_s);
    auto *paths = field<ListEdit>(u"artifactsPaths"_s);
    paths->editor()->setPlainText(u"metrics.json\nplots/\n"_s);
    QTest::mouseClick(paths->applyButton(), Qt::LeftButton);
    COMPARE_TEXT(m_doc->text(),
                 replacedOnce(m_original, "      - metrics.json\n", "      - metrics.json\n      - plots/\n"));
    stack()->undo();
    COMPARE_TEXT(m_doc->text(), m_original);
    QCOMPARE(paths->items(), QStringList{u"metrics.json"_s});
    // A job without artifacts gets `artifacts: paths:`.
    m_inspector->setJob(u"unit-tests"_s);
    paths->editor()->setPlainText(u"junit.xml"_s);
    QTest::mouseClick(paths->applyButton(), Qt::LeftButton);
    COMPARE_TEXT(m_doc->text(), replacedOnce(m_original, "    - trainer selftest\n",
                                             "    - trainer selftest\n  artifacts:\n    paths:\n      - junit.xml\n"));
    stack()->undo();
    COMPARE_TEXT(m_doc->text(), m_original);
}

void tst_JobInspector::whenAllowFailureRetryTimeout()
{
    m_inspector->setJob(u"unit-tests"_s);
    auto *when = field<QComboBox>(u"when"_s);
    QCOMPARE(when->currentText(), u"on_success"_s);
    QTest::keyClick(when, Qt::Key_Down); // on_failure
    QCOMPARE(m_doc->pipeline().job(u"unit-tests"_s)->when, core::When::OnFailure);
    COMPARE_TEXT(m_doc->text(),
                 replacedOnce(m_original, "    - trainer selftest\n", "    - trainer selftest\n  when: on_failure\n"));
    stack()->undo();
    COMPARE_TEXT(m_doc->text(), m_original);
    QCOMPARE(when->currentText(), u"on_success"_s);

    auto *allow = field<QCheckBox>(u"allowFailure"_s);
    QTest::mouseClick(allow, Qt::LeftButton);
    COMPARE_TEXT(m_doc->text(), replacedOnce(m_original, "    - trainer selftest\n",
                                             "    - trainer selftest\n  allow_failure: true\n"));
    QVERIFY(m_doc->pipeline().job(u"unit-tests"_s)->allowFailure);
    stack()->undo();
    QVERIFY(!allow->isChecked());

    auto *retry = field<QSpinBox>(u"retry"_s);
    QTest::keyClick(retry, Qt::Key_Up);
    QTest::keyClick(retry, Qt::Key_Up);
    QTest::keyClick(retry, Qt::Key_Up); // GitLab's maximum is 2
    QCOMPARE(retry->value(), 2);
    QCOMPARE(stack()->count(), 1); // the steps merged
    COMPARE_TEXT(m_doc->text(),
                 replacedOnce(m_original, "    - trainer selftest\n", "    - trainer selftest\n  retry: 2\n"));
    stack()->undo();
    COMPARE_TEXT(m_doc->text(), m_original);
    QCOMPARE(retry->value(), 0);

    auto *timeout = field<QLineEdit>(u"timeout"_s);
    typeAndReturn(timeout, u"forever"_s);
    QVERIFY(field<QLabel>(u"timeoutError"_s)->isVisible());
    COMPARE_TEXT(m_doc->text(), m_original);
    typeAndReturn(timeout, u"90 minutes"_s);
    QVERIFY(!field<QLabel>(u"timeoutError"_s)->isVisible());
    COMPARE_TEXT(m_doc->text(), replacedOnce(m_original, "    - trainer selftest\n",
                                             "    - trainer selftest\n  timeout: 90 minutes\n"));
    QCOMPARE(m_doc->pipeline().job(u"unit-tests"_s)->timeout, u"90 minutes"_s);
}

void tst_JobInspector::trainyardGpusAndTensorboard()
{
    m_inspector->setJob(u"train"_s);
    auto *gpus = field<QSpinBox>(u"gpus"_s);
    QTest::keyClick(gpus, Qt::Key_Up);
    QTest::keyClick(gpus, Qt::Key_Up);
    QCOMPARE(stack()->count(), 1);
    COMPARE_TEXT(m_doc->text(),
                 replacedOnce(m_original, "      shm_size: 64m\n", "      shm_size: 64m\n      gpus: 2\n"));
    QCOMPARE(m_doc->pipeline().job(u"train"_s)->gpuCount(), 2);
    auto *tensorboard = field<QLineEdit>(u"tensorboard"_s);
    typeAndReturn(tensorboard, QString());
    QCOMPARE(stack()->count(), 2);
    QVERIFY(!m_doc->text().contains("tensorboard: logs"));
    typeAndReturn(tensorboard, u"runs/tb"_s);
    QCOMPARE(m_doc->pipeline().job(u"train"_s)->trainyard.tensorboard, u"runs/tb"_s);
    while (stack()->canUndo())
        stack()->undo();
    COMPARE_TEXT(m_doc->text(), m_original);
    QCOMPARE(gpus->value(), 0);
    QCOMPARE(tensorboard->text(), u"logs"_s);

    // A job without settings gets an entry of its own; back to 0 gives the file back.
    m_inspector->setJob(u"evaluate"_s);
    QTest::keyClick(gpus, Qt::Key_Up);
    QVERIFY(m_doc->text().contains("        - accuracy >= 0.85\n      gpus: 1\n"));
    QTest::keyClick(gpus, Qt::Key_Down);
    COMPARE_TEXT(m_doc->text(), m_original);
}

void tst_JobInspector::needsAddAndRemove()
{
    m_inspector->setJob(u"export"_s);
    auto *needs = field<NeedsEditor>(u"needs"_s);
    auto *remove = qobject_cast<QToolButton *>(needs->removeButton(u"evaluate"_s));
    QVERIFY(remove);
    QTest::mouseClick(remove, Qt::LeftButton);
    COMPARE_TEXT(m_doc->text(), replacedOnce(m_original, "  needs: [train, evaluate]\n", "  needs:\n    - train\n"));
    QVERIFY(!needs->removeButton(u"evaluate"_s));
    auto *combo = field<QComboBox>(u"addNeedCombo"_s);
    QVERIFY(combo->findText(u"evaluate"_s) >= 0);
    QVERIFY(combo->findText(u"train"_s) < 0); // already needed
    combo->setCurrentIndex(combo->findText(u"unit-tests"_s));
    QTest::mouseClick(field<QPushButton>(u"addNeedButton"_s), Qt::LeftButton);
    COMPARE_TEXT(m_doc->text(),
                 replacedOnce(m_original, "  needs: [train, evaluate]\n", "  needs:\n    - train\n    - unit-tests\n"));
    QVERIFY(needs->removeButton(u"unit-tests"_s));
    stack()->undo();
    stack()->undo();
    COMPARE_TEXT(m_doc->text(), m_original);
    QVERIFY(needs->removeButton(u"evaluate"_s));
    // Jobs of later stages are not offered (GitLab refuses such needs; they would also close a cycle here).
    m_inspector->setJob(u"unit-tests"_s);
    QCOMPARE(combo->findText(u"export"_s), -1);
    QCOMPARE(combo->findText(u"train"_s), -1);
    m_inspector->setJob(u"evaluate"_s);
    QVERIFY(combo->findText(u"unit-tests"_s) >= 0);
    QCOMPARE(combo->findText(u"export"_s), -1);
}

void tst_JobInspector::renameFromNameField()
{
    m_inspector->setJob(u"evaluate"_s);
    QSignalSpy renamed(m_inspector.get(), &JobInspector::jobRenamed);
    auto *name = field<QLineEdit>(u"name"_s);
    typeAndReturn(name, u"unit-tests"_s);
    QVERIFY(field<QLabel>(u"nameError"_s)->isVisible());
    QVERIFY(field<QLabel>(u"nameError"_s)->text().contains(u"already"_s));
    typeAndReturn(name, u".hidden"_s);
    QVERIFY(field<QLabel>(u"nameError"_s)->text().contains(u"hidden template"_s));
    COMPARE_TEXT(m_doc->text(), m_original);
    QCOMPARE(renamed.count(), 0);

    typeAndReturn(name, u"eval"_s);
    QVERIFY(!field<QLabel>(u"nameError"_s)->isVisible());
    QCOMPARE(renamed.count(), 1);
    QCOMPARE(renamed.last().at(0).toString(), u"evaluate"_s);
    QCOMPARE(renamed.last().at(1).toString(), u"eval"_s);
    QCOMPARE(m_inspector->job(), u"eval"_s);
    QByteArray expected = replacedOnce(m_original, "\nevaluate:\n", "\neval:\n");
    expected = replacedOnce(expected, "  needs: [train, evaluate]\n", "  needs:\n    - train\n    - eval\n");
    expected = replacedOnce(expected, "    evaluate:\n      gates:", "    eval:\n      gates:");
    COMPARE_TEXT(m_doc->text(), expected);
    QCOMPARE(field<QComboBox>(u"stage"_s)->currentText(), u"evaluate"_s);
    stack()->undo();
    COMPARE_TEXT(m_doc->text(), m_original);
}

void tst_JobInspector::formFollowsUndoRedoAndKeepsTyping()
{
    m_inspector->setJob(u"train"_s);
    auto *image = field<QLineEdit>(u"image"_s);
    auto *timeout = field<QLineEdit>(u"timeout"_s);
    // Edits made elsewhere (the canvas, a menu) show up in the form, and so do undo and redo.
    m_doc->push(new SetJobFieldCommand(m_doc.get(), u"train"_s, u"image"_s, u"x:1"_s));
    QCOMPARE(image->text(), u"x:1"_s);
    stack()->undo();
    QCOMPARE(image->text(), u"trainyard-demo/trainer:1"_s);
    stack()->redo();
    QCOMPARE(image->text(), u"x:1"_s);

    // A field the user is typing in is left alone while the document changes.
    m_inspector->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_inspector.get()));
    timeout->setFocus();
    QTRY_VERIFY(timeout->hasFocus());
    QTest::keyClicks(timeout, u"2h"_s);
    m_doc->push(new SetJobFieldCommand(m_doc.get(), u"train"_s, u"image"_s, u"x:2"_s));
    QCOMPARE(timeout->text(), u"2h"_s);
    QCOMPARE(timeout->cursorPosition(), 2);
    QCOMPARE(image->text(), u"x:2"_s);
    // Leaving the field applies it.
    image->setFocus();
    QTRY_COMPARE(m_doc->pipeline().job(u"train"_s)->timeout, u"2h"_s);

    // Typing not applied when another job is shown is dropped, not written to that job.
    timeout->setFocus();
    QTRY_VERIFY(timeout->hasFocus());
    QTest::keyClicks(timeout, u"5"_s);
    auto *script = field<ListEdit>(u"script"_s);
    m_inspector->setJob(u"evaluate"_s);
    QCOMPARE(timeout->text(), QString());
    QVERIFY(script->items().first().startsWith(u"trainer evaluate"_s));
    image->setFocus();
    QTRY_VERIFY(image->hasFocus());
    QCOMPARE(m_doc->pipeline().job(u"evaluate"_s)->timeout, QString());
    QCOMPARE(m_doc->pipeline().job(u"train"_s)->timeout, u"2h"_s);

    // Closing the form while typing is safe.
    timeout->setFocus();
    QTRY_VERIFY(timeout->hasFocus());
    QTest::keyClicks(timeout, u"7"_s);
    const QByteArray before = m_doc->text();
    m_inspector.reset();
    COMPARE_TEXT(m_doc->text(), before);
}

void tst_JobInspector::sharedAliasRefusedThenInlined()
{
    const QByteArray text = "stages: [test]\n\n.job: &job\n  stage: test\n  script:\n    - make\n\n"
                            "lint: *job   # same as test\n\ntest: *job\n";
    loadText(text);
    m_inspector->setJob(u"lint"_s);
    auto *image = field<QLineEdit>(u"image"_s);
    typeAndReturn(image, u"alpine:3.20"_s);
    MessageBar *bar = m_inspector->messageBar();
    QVERIFY(bar->isVisible());
    QVERIFY2(bar->text().contains(u"alias"_s), qPrintable(bar->text()));
    QVERIFY(bar->actionButton()->isVisible());
    QCOMPARE(bar->actionButton()->text(), u"Inline for this job"_s);
    COMPARE_TEXT(m_doc->text(), text);
    QCOMPARE(stack()->count(), 0);
    QVERIFY(image->text().isEmpty()); // the form shows the document, where nothing changed

    QTest::mouseClick(bar->actionButton(), Qt::LeftButton);
    QVERIFY(!bar->isVisible());
    const QByteArray expected = replacedOnce(text, "lint: *job   # same as test\n",
                                             "lint:   # same as test\n  <<: *job\n  image: alpine:3.20\n");
    COMPARE_TEXT(m_doc->text(), expected);
    QCOMPARE(m_doc->pipeline().job(u"lint"_s)->image.name, u"alpine:3.20"_s);
    QVERIFY(m_doc->pipeline().job(u"test"_s)->image.name.isEmpty());
    QCOMPARE(image->text(), u"alpine:3.20"_s);
    // One step: one undo takes back both the inlining and the edit.
    QCOMPARE(stack()->count(), 1);
    stack()->undo();
    COMPARE_TEXT(m_doc->text(), text);
    QVERIFY(image->text().isEmpty());
    stack()->redo();
    COMPARE_TEXT(m_doc->text(), expected);
}

void tst_JobInspector::sharedAnchorRefusedWithoutInline()
{
    const QByteArray text = "a: &base\n  stage: test\n  script:\n    - x\n\nb:\n  <<: *base\n  script:\n    - y\n";
    loadText(text);
    m_inspector->setJob(u"a"_s);
    typeAndReturn(field<QLineEdit>(u"image"_s), u"x:1"_s);
    MessageBar *bar = m_inspector->messageBar();
    QVERIFY(bar->isVisible());
    QVERIFY2(bar->text().contains(u"anchor &base"_s), qPrintable(bar->text()));
    // Inlining in `a` cannot help: `b` is the one that uses the anchor.
    QVERIFY(!bar->actionButton()->isVisible());
    COMPARE_TEXT(m_doc->text(), text);
    QCOMPARE(stack()->count(), 0);
}

void tst_JobInspector::inheritsListsTemplate()
{
    const QByteArray text =
        ".gpu-template:\n  image: nvidia/cuda:12.4.1-runtime-ubuntu22.04\n  tags: [gpu]\n"
        "  variables:\n    CUDA_VISIBLE_DEVICES: \"0\"\n\n"
        "train:\n  extends: .gpu-template\n  variables:\n    EPOCHS: \"3\"\n  script:\n    - python train.py\n";
    loadText(text);
    m_inspector->setJob(u"train"_s);
    QVERIFY(field<QLabel>(u"extends"_s)->text().contains(u".gpu-template"_s));
    auto *tree = field<QTreeWidget>(u"inherited"_s);
    QStringList rows;
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        rows << tree->topLevelItem(i)->text(0) + u'=' + tree->topLevelItem(i)->text(1) + u'|' +
                    tree->topLevelItem(i)->text(2);
    QVERIFY2(rows.contains(u"image=nvidia/cuda:12.4.1-runtime-ubuntu22.04|from .gpu-template"_s),
             qPrintable(rows.join(u", "_s)));
    QVERIFY2(rows.contains(u"tags=gpu|from .gpu-template"_s), qPrintable(rows.join(u", "_s)));
    QVERIFY2(rows.contains(u"variables:CUDA_VISIBLE_DEVICES=0|from .gpu-template"_s), qPrintable(rows.join(u", "_s)));
    QCOMPARE(field<QLineEdit>(u"image"_s)->text(), u"nvidia/cuda:12.4.1-runtime-ubuntu22.04"_s);
    QCOMPARE(field<QLabel>(u"origin:image"_s)->text(), u"from .gpu-template"_s);
    auto *table = field<QTableWidget>(u"variablesTable"_s);
    QCOMPARE(table->rowCount(), 2);
    QCOMPARE(table->item(0, 0)->text(), u"CUDA_VISIBLE_DEVICES"_s);
    QVERIFY(table->item(0, 0)->font().italic());
    QVERIFY(!table->item(1, 0)->font().italic());

    // Changing an inherited variable writes only that override into the job.
    table->item(0, 1)->setText(u"1"_s);
    COMPARE_TEXT(m_doc->text(),
                 replacedOnce(text, "    EPOCHS: \"3\"\n", "    CUDA_VISIBLE_DEVICES: \"1\"\n    EPOCHS: \"3\"\n"));
    stack()->undo();
    COMPARE_TEXT(m_doc->text(), text);

    // The template itself is not a card; the inspector says where to find it.
    m_inspector->setJob(u".gpu-template"_s);
    QVERIFY(field<QLabel>(u"placeholder"_s)->text().contains(u"hidden template"_s));
}

QTEST_MAIN(tst_JobInspector)
#include "tst_jobinspector.moc"
