import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a driver run ended.
public enum DriverExit: Sendable, Equatable {
    /// The driver exited by itself with this code (128 + n when signal n ended it).
    case exited(Int32)
    /// The time limit passed: the driver's process group was sent SIGTERM, then SIGKILL after the grace period.
    case timedOut
    /// The driver could not be started at all.
    case notStarted(String)
}

/// Runs a driver command (`/bin/sh -c CMD`) in a process group of its own, its stdout and stderr going
/// to a file (never to a pipe, so nothing the runner reads can block on a child that is gone).
///
/// The group is what gets killed: after the time limit SIGTERM goes to every process of the group,
/// then SIGKILL to whatever is still there after `grace` seconds. Processes the driver left behind
/// after a normal exit are ended the same way, so one case never leaks into the next. The groups
/// still running are registered so that a SIGINT/SIGTERM to the runner ends them too
/// (`DriverProcess.terminateAll`).
public enum DriverProcess {
    /// Process groups of drivers currently running.
    static let live = Mutex<Set<pid_t>>([])

    public static func run(command: String, environment: [String: String], outputPath: String, timeout: Double, grace: Double = 2) async -> DriverExit {
        let pid: pid_t
        switch spawn(command: command, environment: environment, outputPath: outputPath) {
        case .success(let p): pid = p
        case .failure(let message):
            if let handle = FileHandle(forWritingAtPath: outputPath) {
                handle.seekToEndOfFile()
                handle.write(Data("understudy: could not start the driver: \(message)\n".utf8))
                try? handle.close()
            }
            return .notStarted(message)
        }
        live.withLock { _ = $0.insert(pid) }
        defer { live.withLock { _ = $0.remove(pid) } }

        let deadline = ContinuousClock.now + .milliseconds(Int((max(0, timeout) * 1000).rounded()))
        while true {
            if let code = reap(pid) {
                // The leader is gone; end whatever it left running in its group.
                await endGroup(pid, grace: grace)
                return .exited(code)
            }
            if ContinuousClock.now >= deadline { break }
            try? await Task.sleep(for: .milliseconds(20))
        }
        await endGroup(pid, grace: grace)
        // The leader got SIGKILL at the latest: collect it (bounded, in case it is stuck in the kernel).
        let reapDeadline = ContinuousClock.now + .seconds(5)
        while reap(pid) == nil && ContinuousClock.now < reapDeadline { try? await Task.sleep(for: .milliseconds(20)) }
        return .timedOut
    }

    /// SIGTERM to the group, SIGKILL after `grace` seconds to what is left; returns once the group is
    /// gone (or, after SIGKILL, at most a second later).
    static func endGroup(_ pgid: pid_t, grace: Double) async {
        guard groupExists(pgid) else { return }
        kill(-pgid, SIGTERM)
        // A stopped process only sees SIGTERM once continued.
        kill(-pgid, SIGCONT)
        let until = ContinuousClock.now + .milliseconds(Int((max(0, grace) * 1000).rounded()))
        while ContinuousClock.now < until {
            reapIfChild(pgid)
            if !groupExists(pgid) { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
        kill(-pgid, SIGKILL)
        // SIGKILL cannot be refused; wait briefly so that callers see the group gone.
        let after = ContinuousClock.now + .seconds(1)
        while ContinuousClock.now < after {
            reapIfChild(pgid)
            if !groupExists(pgid) { return }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Ends every driver still running (used when the runner itself is interrupted).
    public static func terminateAll(grace: Double = 2) {
        let groups = live.withLock { $0 }
        for g in groups { kill(-g, SIGTERM); kill(-g, SIGCONT) }
        let until = ContinuousClock.now + .milliseconds(Int(grace * 1000))
        while ContinuousClock.now < until, groups.contains(where: { g in reapIfChild(g); return groupExists(g) }) { usleep(20_000) }
        for g in groups where groupExists(g) { kill(-g, SIGKILL) }
    }

    /// Whether any process is still in the group. Zombies (dead, not yet collected by their parent) count
    /// as gone: they run nothing and hold nothing.
    static func groupExists(_ pgid: pid_t) -> Bool {
        guard kill(-pgid, 0) == 0 else { return false }
        #if os(Linux)
        // kill(2) also succeeds for zombies; look at the members' states.
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return true }
        for name in names where name.first?.isNumber == true {
            guard let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // After "pid (comm) ": state ppid pgrp …
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, let group = pid_t(fields[2]), group == pgid else { continue }
            if fields[0] != "Z" && fields[0] != "X" { return true }
        }
        return false
        #else
        return true
        #endif
    }

    /// The exit code if the child `pid` has ended (and collects it), nil while it runs.
    static func reap(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid { return code(status) }
        if r == -1 && errno == ECHILD { return -1 }
        return nil
    }

    @discardableResult
    static func reapIfChild(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid
    }

    static func code(_ status: Int32) -> Int32 {
        // WIFEXITED / WEXITSTATUS / WTERMSIG, spelled out (the C macros are not imported).
        let signal = status & 0x7f
        if signal == 0 { return (status >> 8) & 0xff }
        return 128 + signal
    }

    /// Marks the runner's own descriptors (the server's sockets, open files) close-on-exec, so that a
    /// driver and what it leaves running never hold them.
    static func keepDescriptorsFromChildren() {
        #if os(Linux)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for name in names {
            guard let fd = Int32(name), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
        #endif
    }

    enum SpawnResult { case success(pid_t), failure(String) }

    static func spawn(command: String, environment: [String: String], outputPath: String) -> SpawnResult {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        keepDescriptorsFromChildren()
        // A process group of its own (pgid = the driver's pid), so the whole group can be signalled;
        // default signal dispositions and an empty mask, whatever the runner ignores or blocks.
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        let flags = Int32(POSIX_SPAWN_SETPGROUP) | Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETSIGMASK)
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let arguments: [String] = ["/bin/sh", "-c", command]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp)
        if rc != 0 { return .failure(String(cString: strerror(rc))) }
        return .success(pid)
    }
}
