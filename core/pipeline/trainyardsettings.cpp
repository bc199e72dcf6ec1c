#include "trainyardsettings.h"

#include "common/urlsecrets.h"

#include <QDir>
#include <QRegularExpression>
#include <QUrl>

namespace trainyard::core {

namespace {

void warnUnknown(const YamlNode &map, const QStringList &known, const QString &where, std::vector<Error> &problems)
{
    for (const QString &key : map.keys()) {
        if (!known.contains(key))
            problems.push_back(Error::warning(
                QStringLiteral("unknown key '%1' in %2 (known: %3)").arg(key, where, known.join(QStringLiteral(", "))),
                map.keyLocation(key)));
    }
}

bool expectMap(const YamlNode &node, const QString &where, std::vector<Error> &problems)
{
    if (node.isMap())
        return true;
    problems.push_back(
        Error::error(QStringLiteral("%1 should be a hash, not %2").arg(where, node.typeName()), node.location()));
    return false;
}

std::optional<JobTrainyardSettings::Gate> parseGate(const YamlNode &node, const QString &job,
                                                    std::vector<Error> &problems)
{
    JobTrainyardSettings::Gate gate;
    gate.location = node.location();
    static const QStringList ops{QStringLiteral(">="), QStringLiteral(">"), QStringLiteral("<="), QStringLiteral("<"),
                                 QStringLiteral("==")};
    QString valueText;
    if (node.isScalar()) {
        static const QRegularExpression re(QStringLiteral("^\\s*([^\\s<>=]+)\\s*(>=|<=|==|>|<)\\s*(\\S+)\\s*$"));
        const auto m = re.match(node.text());
        if (!m.hasMatch()) {
            problems.push_back(Error::error(
                QStringLiteral("gate '%1' should read like 'accuracy >= 0.9'").arg(node.text()), node.location(), job));
            return std::nullopt;
        }
        gate.metric = m.captured(1);
        gate.op = m.captured(2);
        valueText = m.captured(3);
    } else if (node.isMap()) {
        warnUnknown(node, {QStringLiteral("metric"), QStringLiteral("op"), QStringLiteral("value")},
                    QStringLiteral(".trainyard gate"), problems);
        const YamlNode *metric = node.find(QStringLiteral("metric"));
        const YamlNode *op = node.find(QStringLiteral("op"));
        const YamlNode *value = node.find(QStringLiteral("value"));
        if (!metric || !value) {
            problems.push_back(Error::error(QStringLiteral("a gate needs 'metric' and 'value'"), node.location(), job));
            return std::nullopt;
        }
        gate.metric = metric->text();
        gate.op = op ? op->text() : QStringLiteral(">=");
        valueText = value->text();
    } else {
        problems.push_back(Error::error(QStringLiteral("a gate should be a string or a hash"), node.location(), job));
        return std::nullopt;
    }
    bool ok = false;
    gate.value = valueText.toDouble(&ok);
    if (!ok || !ops.contains(gate.op)) {
        problems.push_back(Error::error(
            QStringLiteral("gate on '%1': needs an operator among %2 and a number").arg(gate.metric, ops.join(u' ')),
            node.location(), job));
        return std::nullopt;
    }
    return gate;
}

JobTrainyardSettings parseJob(const QString &job, const YamlNode &node, std::vector<Error> &problems)
{
    JobTrainyardSettings s;
    warnUnknown(node,
                {QStringLiteral("gpus"), QStringLiteral("tensorboard"), QStringLiteral("memory"),
                 QStringLiteral("cpus"), QStringLiteral("shm_size"), QStringLiteral("gates")},
                QStringLiteral(".trainyard jobs:%1").arg(job), problems);
    if (const YamlNode *gpus = node.find(QStringLiteral("gpus"))) {
        if (gpus->text() == QLatin1String("all"))
            s.gpus = -1;
        else if (auto n = gpus->toInt(); n && *n >= 0 && *n <= 1024)
            s.gpus = static_cast<int>(*n);
        else
            problems.push_back(Error::error(QStringLiteral("gpus should be a number or 'all'"), gpus->location(), job));
    }
    if (const YamlNode *tb = node.find(QStringLiteral("tensorboard")))
        s.tensorboard = tb->text();
    if (const YamlNode *m = node.find(QStringLiteral("memory")))
        s.memory = m->text();
    if (const YamlNode *c = node.find(QStringLiteral("cpus"))) {
        bool ok = false;
        s.cpus = c->text().toDouble(&ok);
        if (!ok || s.cpus <= 0)
            problems.push_back(Error::error(QStringLiteral("cpus should be a positive number"), c->location(), job));
    }
    if (const YamlNode *shm = node.find(QStringLiteral("shm_size")))
        s.shmSize = shm->text();
    if (const YamlNode *gates = node.find(QStringLiteral("gates"))) {
        const std::vector<YamlNode> items = gates->isSequence() ? gates->items() : std::vector<YamlNode>{*gates};
        for (const auto &g : items) {
            if (auto gate = parseGate(g, job, problems))
                s.gates.push_back(*gate);
        }
    }
    return s;
}

} // namespace

TrainyardSettings TrainyardSettings::fromYaml(const YamlNode &node, std::vector<Error> &problems)
{
    TrainyardSettings s;
    if (node.isNull() || !expectMap(node, QStringLiteral(".trainyard"), problems))
        return s;
    warnUnknown(node,
                {QStringLiteral("protected_branches"), QStringLiteral("data"), QStringLiteral("images"),
                 QStringLiteral("jobs"), QStringLiteral("allow_privileged_services"),
                 QStringLiteral("mount_docker_socket"), QStringLiteral("secrets"), QStringLiteral("lineage"),
                 QStringLiteral("registry"), QStringLiteral("slurm"), QStringLiteral("scan")},
                QStringLiteral(".trainyard"), problems);
    if (const YamlNode *secrets = node.find(QStringLiteral("secrets")))
        s.secrets = secrets->toStringList();
    if (const YamlNode *pb = node.find(QStringLiteral("protected_branches")))
        s.protectedBranches = pb->toStringList();
    if (const YamlNode *lineage = node.find(QStringLiteral("lineage"));
        lineage && expectMap(*lineage, QStringLiteral(".trainyard lineage"), problems)) {
        warnUnknown(*lineage, {QStringLiteral("url")}, QStringLiteral(".trainyard lineage"), problems);
        if (const YamlNode *u = lineage->find(QStringLiteral("url"))) {
            const QUrl url(u->text());
            // The message never repeats the URL: it would show the password it refuses.
            if (urlCarriesPassword(u->text()))
                problems.push_back(Error::error(
                    QStringLiteral(".trainyard lineage url carries a password, which would be committed with this "
                                   "file: write the URL without it, and keep the password in PGPASSWORD or ~/.pgpass"),
                    u->location()));
            else if (url.scheme() != QLatin1String("postgresql") && url.scheme() != QLatin1String("postgres"))
                problems.push_back(Error::error(QStringLiteral(".trainyard lineage url is not a PostgreSQL URL: write "
                                                               "postgresql://USER@HOST:PORT/DATABASE"),
                                                u->location()));
            else
                s.lineageUrl = u->text();
        }
    }
    if (const YamlNode *registry = node.find(QStringLiteral("registry"));
        registry && expectMap(*registry, QStringLiteral(".trainyard registry"), problems)) {
        warnUnknown(*registry, {QStringLiteral("url")}, QStringLiteral(".trainyard registry"), problems);
        if (const YamlNode *u = registry->find(QStringLiteral("url"))) {
            const QString text = u->text().trimmed();
            if (text.contains(u'@')) // a login (a repository has no '@'); never repeated
                problems.push_back(Error::error(
                    QStringLiteral(".trainyard registry url carries a login, which would be committed with this file: "
                                   "write HOST[:PORT]/team/project, and log in with `docker login HOST`"),
                    u->location()));
            else if (!text.section(QLatin1String("://"), -1).contains(u'/'))
                problems.push_back(Error::error(
                    QStringLiteral(".trainyard registry url \"%1\" names no repository: write HOST[:PORT]/team/project")
                        .arg(text),
                    u->location()));
            else
                s.registryUrl = text;
        }
    }
    if (const YamlNode *slurm = node.find(QStringLiteral("slurm"));
        slurm && expectMap(*slurm, QStringLiteral(".trainyard slurm"), problems)) {
        s.slurm.location = node.keyLocation(QStringLiteral("slurm"));
        warnUnknown(*slurm,
                    {QStringLiteral("url"), QStringLiteral("partition"), QStringLiteral("account"),
                     QStringLiteral("qos"), QStringLiteral("work_dir"), QStringLiteral("runtime"),
                     QStringLiteral("gpu_devices")},
                    QStringLiteral(".trainyard slurm"), problems);
        const auto text = [&](const char *key) {
            const YamlNode *n = slurm->find(QLatin1String(key));
            return n ? n->text().trimmed() : QString();
        };
        s.slurm.partition = text("partition");
        s.slurm.account = text("account");
        s.slurm.qos = text("qos");
        s.slurm.workDir = text("work_dir");
        if (!s.slurm.workDir.isEmpty() && !QDir::isAbsolutePath(s.slurm.workDir)) {
            problems.push_back(Error::error(QStringLiteral(".trainyard slurm work_dir \"%1\" is not an absolute path: "
                                                           "write the folder as every node sees it (/shared/…)")
                                                .arg(s.slurm.workDir),
                                            slurm->find(QStringLiteral("work_dir"))->location()));
            s.slurm.workDir.clear();
        }
        if (const YamlNode *g = slurm->find(QStringLiteral("gpu_devices"))) {
            const QString pattern = g->text().trimmed();
            static const QRegularExpression unsafe(QStringLiteral("[\\s:,]"));
            if (!QDir::isAbsolutePath(pattern) || !pattern.contains(QLatin1String("{}")) || pattern.contains(unsafe))
                problems.push_back(Error::error(
                    QStringLiteral(".trainyard slurm gpu_devices \"%1\" is not a device path with {} for the GPU's "
                                   "number on the node (as in /dev/nvidia{}), without spaces, ':' or ','")
                        .arg(pattern),
                    g->location()));
            else
                s.slurm.gpuDevices = pattern;
        }
        if (const YamlNode *u = slurm->find(QStringLiteral("url"))) {
            const QUrl url(u->text().trimmed());
            if (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))
                problems.push_back(Error::error(
                    QStringLiteral(".trainyard slurm url is not slurmrestd's address: write http(s)://HOST:PORT"),
                    u->location()));
            else if (!url.userInfo().isEmpty())
                problems.push_back(Error::error(QStringLiteral(".trainyard slurm url carries a login, which would be "
                                                               "committed with this file: the token goes in SLURM_JWT"),
                                                u->location()));
            else
                s.slurm.url = u->text().trimmed();
        }
        if (const YamlNode *r = slurm->find(QStringLiteral("runtime"))) {
            const QString runtime = r->text().trimmed();
            if (runtime != QLatin1String("docker") && runtime != QLatin1String("podman") &&
                runtime != QLatin1String("none"))
                problems.push_back(Error::error(
                    QStringLiteral(".trainyard slurm runtime \"%1\" is not one of docker, podman, none").arg(runtime),
                    r->location()));
            else
                s.slurm.runtime = runtime;
        }
    }
    if (const YamlNode *scan = node.find(QStringLiteral("scan"));
        scan && expectMap(*scan, QStringLiteral(".trainyard scan"), problems)) {
        s.scan.location = node.keyLocation(QStringLiteral("scan"));
        warnUnknown(*scan, {QStringLiteral("osv"), QStringLiteral("fail_on"), QStringLiteral("on_run")},
                    QStringLiteral(".trainyard scan"), problems);
        if (const YamlNode *o = scan->find(QStringLiteral("osv")))
            s.scan.osv = o->text().trimmed();
        if (const YamlNode *f = scan->find(QStringLiteral("fail_on"))) {
            const QString level = f->text().trimmed().toLower();
            static const QStringList levels{QStringLiteral("critical"), QStringLiteral("high"),
                                            QStringLiteral("medium"), QStringLiteral("low")};
            if (!levels.contains(level))
                problems.push_back(Error::error(
                    QStringLiteral(".trainyard scan fail_on \"%1\" is not one of critical, high, medium, low")
                        .arg(f->text().trimmed()),
                    f->location()));
            else
                s.scan.failOn = level;
        }
        if (const YamlNode *r = scan->find(QStringLiteral("on_run")))
            s.scan.onRun = r->toBool().value_or(false);
        if (s.scan.onRun && s.scan.osv.isEmpty())
            problems.push_back(Error::warning(
                QStringLiteral(".trainyard scan on_run needs osv: the folder of OSV advisories to match against"),
                scan->find(QStringLiteral("on_run"))->location()));
    }
    if (const YamlNode *p = node.find(QStringLiteral("allow_privileged_services")))
        s.allowPrivilegedServices = p->toBool().value_or(false);
    if (const YamlNode *d = node.find(QStringLiteral("mount_docker_socket")))
        s.mountDockerSocket = d->toBool().value_or(false);
    if (const YamlNode *data = node.find(QStringLiteral("data"));
        data && expectMap(*data, QStringLiteral(".trainyard data"), problems)) {
        for (const auto &[name, value] : data->entries()) {
            DataInput in;
            in.name = name;
            in.location = data->keyLocation(name);
            if (value.isScalar()) {
                in.path = value.text();
            } else if (value.isMap()) {
                warnUnknown(value, {QStringLiteral("path"), QStringLiteral("mount")},
                            QStringLiteral(".trainyard data:%1").arg(name), problems);
                if (const YamlNode *p = value.find(QStringLiteral("path")))
                    in.path = p->text();
                if (const YamlNode *m = value.find(QStringLiteral("mount")))
                    in.mount = m->text();
            }
            if (in.path.isEmpty()) {
                problems.push_back(Error::error(QStringLiteral("data input '%1' needs a path").arg(name), in.location));
                continue;
            }
            if (in.mount.isEmpty())
                in.mount = QStringLiteral("/data/") + name;
            s.data.push_back(in);
        }
    }
    if (const YamlNode *images = node.find(QStringLiteral("images"));
        images && expectMap(*images, QStringLiteral(".trainyard images"), problems)) {
        for (const auto &[tag, value] : images->entries()) {
            ImageBuild b;
            b.tag = tag;
            b.location = images->keyLocation(tag);
            if (value.isScalar()) {
                b.context = value.text();
            } else if (value.isMap()) {
                warnUnknown(value, {QStringLiteral("context"), QStringLiteral("dockerfile")},
                            QStringLiteral(".trainyard images:%1").arg(tag), problems);
                if (const YamlNode *c = value.find(QStringLiteral("context")))
                    b.context = c->text();
                if (const YamlNode *f = value.find(QStringLiteral("dockerfile")))
                    b.dockerfile = f->text();
            }
            if (b.context.isEmpty()) {
                problems.push_back(
                    Error::error(QStringLiteral("image '%1' needs a build context").arg(tag), b.location));
                continue;
            }
            s.images.push_back(b);
        }
    }
    if (const YamlNode *jobs = node.find(QStringLiteral("jobs"));
        jobs && expectMap(*jobs, QStringLiteral(".trainyard jobs"), problems)) {
        for (const auto &[name, value] : jobs->entries()) {
            if (expectMap(value, QStringLiteral(".trainyard jobs:%1").arg(name), problems))
                s.jobs.insert(name, parseJob(name, value, problems));
        }
    }
    return s;
}

} // namespace trainyard::core
