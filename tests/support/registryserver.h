#pragma once

// A real OCI registry for a test: Debian's docker-registry (the CNCF Distribution registry) on a
// free loopback port, its storage in a folder of the test's, with or without a login (htpasswd,
// bcrypt: the only kind it takes).

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QThread>

#include <memory>

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace trainyard::test {

/// Binds 127.0.0.1:`port` (0: any free one) and, with `connectOnly`, connects to it instead;
/// returns the port bound or connected to, 0 when that failed.
inline quint16 loopbackPort(quint16 port, bool connectOnly)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    socklen_t length = sizeof address;
    const int rc = connectOnly ? ::connect(fd, reinterpret_cast<sockaddr *>(&address), length)
                               : ::bind(fd, reinterpret_cast<sockaddr *>(&address), length);
    if (rc == 0 && !connectOnly)
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length);
    ::close(fd);
    return rc == 0 ? ntohs(address.sin_port) : 0;
}

class RegistryServer
{
public:
    /// Starts the registry with its data in `dir`; `user`/`password` set: only that login may use
    /// it. Empty error() when it answers.
    RegistryServer(const QString &dir, const QString &user = {}, const QString &password = {})
    {
        const QString exe = QStandardPaths::findExecutable(QStringLiteral("docker-registry"));
        if (exe.isEmpty()) {
            m_error = QStringLiteral("docker-registry is not installed (apt-get install docker-registry)");
            return;
        }
        m_port = loopbackPort(0, false); // a free port, given back at once
        if (m_port == 0) {
            m_error = QStringLiteral("no free loopback port");
            return;
        }
        QDir().mkpath(dir);
        m_dataDir = dir + QStringLiteral("/data");
        QString auth;
        if (!user.isEmpty()) {
            // bcrypt through the C library's crypt(3), as htpasswd -B would write it.
            QProcess hash;
            hash.start(QStringLiteral("python3"), {QStringLiteral("-W"), QStringLiteral("ignore"), QStringLiteral("-c"),
                                                   QStringLiteral("import crypt,sys; print(crypt.crypt(sys.argv[1], "
                                                                  "crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))"),
                                                   password});
            hash.waitForFinished(30000);
            const QByteArray line = hash.readAllStandardOutput().trimmed();
            if (!line.startsWith("$2")) {
                m_error = QStringLiteral("could not hash the test password with bcrypt: ") +
                          QString::fromUtf8(hash.readAllStandardError());
                return;
            }
            QFile htpasswd(dir + QStringLiteral("/htpasswd"));
            if (!htpasswd.open(QIODevice::WriteOnly)) {
                m_error = htpasswd.errorString();
                return;
            }
            htpasswd.write(user.toUtf8() + ':' + line + '\n');
            auth = QStringLiteral("auth:\n  htpasswd:\n    realm: trainyard-test\n    path: %1\n")
                       .arg(htpasswd.fileName());
        }
        QFile config(dir + QStringLiteral("/config.yml"));
        if (!config.open(QIODevice::WriteOnly)) {
            m_error = config.errorString();
            return;
        }
        config.write(
            QStringLiteral("version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %1\n"
                           "  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:%2\n%3")
                .arg(m_dataDir)
                .arg(m_port)
                .arg(auth)
                .toUtf8());
        config.close();
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        // A test that crashes takes its registry with it (no server left behind on the machine).
        m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        m_process->start(exe, {QStringLiteral("serve"), config.fileName()});
        if (!m_process->waitForStarted(5000)) {
            m_error = QStringLiteral("docker-registry did not start: ") + m_process->errorString();
            return;
        }
        for (int i = 0; i < 150; ++i) { // up to 15 s
            if (loopbackPort(m_port, true) == m_port)
                return;
            if (m_process->state() != QProcess::Running)
                break;
            QThread::msleep(100);
        }
        m_error = QStringLiteral("docker-registry did not answer on port %1: %2")
                      .arg(m_port)
                      .arg(QString::fromUtf8(m_process->readAll()));
    }
    ~RegistryServer() { stop(); }

    /// Stops the server (a test of "the registry is gone").
    void stop()
    {
        if (m_process && m_process->state() != QProcess::NotRunning) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }

    QString error() const { return m_error; }
    quint16 port() const { return m_port; }
    /// "127.0.0.1:PORT".
    QString host() const { return QStringLiteral("127.0.0.1:%1").arg(m_port); }
    /// Where it keeps its blobs (a test that damages one).
    QString blobPath(const QString &hex) const
    {
        return QStringLiteral("%1/docker/registry/v2/blobs/sha256/%2/%3/data").arg(m_dataDir, hex.left(2), hex);
    }
    QString log() const { return m_process ? QString::fromUtf8(m_process->readAll()) : QString(); }

private:
    std::unique_ptr<QProcess> m_process;
    QString m_dataDir;
    QString m_error;
    quint16 m_port = 0;
};

} // namespace trainyard::test
