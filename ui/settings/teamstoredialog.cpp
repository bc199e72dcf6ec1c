#include "teamstoredialog.h"

#include "async/onworker.h"
#include "common/urlsecrets.h"
#include "lineage/artifactregistry.h"
#include "lineage/postgreslineagestore.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QUrl>
#include <QVBoxLayout>

namespace trainyard::ui {

namespace {

const QString kStoreKey = QStringLiteral("team/lineageUrl");
const QString kRegistryKey = QStringLiteral("team/registry");

} // namespace

TeamStoreDialog::TeamStoreDialog(QWidget *parent)
    : QDialog(parent)
    , m_store(new QLineEdit(this))
    , m_registry(new QLineEdit(this))
    , m_result(new QLabel(this))
    , m_test(new QPushButton(tr("&Test"), this))
{
    setWindowTitle(tr("Team store"));
    auto *intro = new QLabel(
        tr("Runs are always recorded in the project first. With a team store set, each run is also pushed there as "
           "it ends (and what waited, once the store answers), its artifacts first to the team's registry, so "
           "colleagues and leads see it from any machine. Passwords stay in ~/.pgpass or PGPASSWORD, registry logins "
           "in `docker login`: never here."),
        this);
    intro->setWordWrap(true);
    m_store->setObjectName(QStringLiteral("teamStoreUrl"));
    m_store->setPlaceholderText(QStringLiteral("postgresql://ada@db.example.org:5432/lineage"));
    m_registry->setObjectName(QStringLiteral("teamRegistry"));
    m_registry->setPlaceholderText(QStringLiteral("registry.example.org/ml/project"));
    m_result->setObjectName(QStringLiteral("teamStoreResult"));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    const core::TeamPush::Target mine = saved();
    m_store->setText(mine.storeUrl);
    m_registry->setText(mine.registryUrl);

    auto *form = new QFormLayout;
    form->addRow(tr("&Lineage store:"), m_store);
    form->addRow(tr("&Registry:"), m_registry);
    QStringList overridden;
    if (!qEnvironmentVariable("TRAINYARD_LINEAGE_URL").isEmpty())
        overridden << QStringLiteral("TRAINYARD_LINEAGE_URL");
    if (!qEnvironmentVariable("TRAINYARD_REGISTRY").isEmpty())
        overridden << QStringLiteral("TRAINYARD_REGISTRY");
    if (!overridden.isEmpty()) {
        auto *note =
            new QLabel(tr("Set in the environment, which wins over this: %1.").arg(overridden.join(u' ')), this);
        note->setWordWrap(true);
        form->addRow(QString(), note);
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->addButton(m_test, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (apply())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_test, &QPushButton::clicked, this, &TeamStoreDialog::test);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_result);
    layout->addStretch();
    layout->addWidget(buttons);
    resize(620, 300);
}

core::TeamPush::Target TeamStoreDialog::saved()
{
    const QSettings settings;
    return {settings.value(kStoreKey).toString(), settings.value(kRegistryKey).toString()};
}

core::TeamPush::Target TeamStoreDialog::target(const QString &projectDir)
{
    return core::TeamPush::configured(projectDir, saved());
}

void TeamStoreDialog::save(const core::TeamPush::Target &target)
{
    QSettings settings;
    const auto put = [&](const QString &key, const QString &value) {
        if (value.trimmed().isEmpty())
            settings.remove(key);
        else
            settings.setValue(key, value.trimmed());
    };
    put(kStoreKey, target.storeUrl);
    put(kRegistryKey, target.registryUrl);
}

QString TeamStoreDialog::problem(const core::TeamPush::Target &target)
{
    const QString store = target.storeUrl.trimmed();
    if (!store.isEmpty()) {
        if (core::urlCarriesPassword(store)) // never repeated: it would show the password it refuses
            return tr("The lineage store's URL carries a password. Write it without one, and keep the password in "
                      "~/.pgpass or PGPASSWORD.");
        if (!core::PostgresLineageStore::isUrl(store))
            return tr("The lineage store is not a PostgreSQL URL: write postgresql://USER@HOST:PORT/DATABASE.");
    }
    const QString registry = target.registryUrl.trimmed();
    if (!registry.isEmpty()) {
        if (registry.contains(u'@'))
            return tr("The registry carries a login. Write HOST[:PORT]/team/project, and log in with `docker login`.");
        if (auto repository = core::ArtifactRegistry::repositoryFor(registry); !repository)
            return repository.error().message;
    }
    return {};
}

bool TeamStoreDialog::apply()
{
    const core::TeamPush::Target target{m_store->text().trimmed(), m_registry->text().trimmed()};
    if (const QString why = problem(target); !why.isEmpty()) {
        m_result->setText(why);
        return false;
    }
    if (target.storeUrl == saved().storeUrl && target.registryUrl == saved().registryUrl)
        return true;
    save(target);
    Q_EMIT changed();
    return true;
}

void TeamStoreDialog::test()
{
    const core::TeamPush::Target target{m_store->text().trimmed(), m_registry->text().trimmed()};
    if (const QString why = problem(target); !why.isEmpty()) {
        m_result->setText(why);
        Q_EMIT tested(why, false);
        return;
    }
    if (target.storeUrl.isEmpty() && target.registryUrl.isEmpty()) {
        m_result->setText(tr("Nothing to test: runs stay in the project."));
        Q_EMIT tested(m_result->text(), true);
        return;
    }
    m_test->setEnabled(false);
    m_result->setText(tr("Testing…"));
    struct Answer
    {
        QStringList lines;
        bool ok = true;
    };
    onWorker(
        this,
        [target] {
            Answer a;
            if (!target.storeUrl.isEmpty()) {
                const QString shown = core::PostgresLineageStore::displayUrl(QUrl(target.storeUrl));
                if (auto store = core::LineageStore::open(target.storeUrl); store) {
                    a.lines
                        << tr("Lineage store %1 answers: schema version %2.").arg(shown).arg((*store)->schemaVersion());
                } else {
                    a.ok = false;
                    a.lines << store.error().message;
                }
            }
            if (!target.registryUrl.isEmpty()) {
                auto repository = core::ArtifactRegistry::repositoryFor(target.registryUrl);
                core::OciRegistryClient client(*repository);
                if (auto there = client.hasBlob(core::OciRegistryClient::emptyConfig().digest); there) {
                    a.lines << tr("Registry %1 answers.").arg(repository->toString());
                } else {
                    a.ok = false;
                    a.lines << there.error().message;
                }
            }
            return a;
        },
        [this](const Answer &a) {
            m_test->setEnabled(true);
            m_result->setText(a.lines.join(u'\n'));
            Q_EMIT tested(m_result->text(), a.ok);
        });
}

} // namespace trainyard::ui
