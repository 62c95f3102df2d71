package ft.cli;

import ft.client.BadResponseException;
import ft.client.FtClient;
import ft.client.FtException;
import ft.client.LocalErrors;
import ft.client.Outcome;
import ft.client.RemoteException;
import ft.client.RemoteListing;
import ft.client.StreamDownload;
import ft.client.Transfer;
import ft.protocol.EntryType;
import ft.protocol.ErrorCode;
import ft.protocol.Glob;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ft get REMOTE... [-o LOCAL | -t DIR]}: one file, many, globs, trees, or a list. */
@Command(
        name = "get",
        description = {
            "Download files, verify each MD5, and put each in place atomically.",
            "Interrupted downloads resume when the same command runs again; files already",
            "identical locally (same size and MD5) are skipped as unchanged."
        },
        footer = {
            "",
            "Examples:",
            "  ft get a.txt                         download to ./a.txt",
            "  ft get logs/app.log -o /tmp/         download to /tmp/app.log",
            "  ft get a.txt b.txt -t in/            several files into in/",
            "  ft get 'logs/*.gz' -o logs/          every .gz file in logs (quote the pattern)",
            "  ft get '**/*.csv' -j 8 -o data/      every .csv anywhere, 8 at a time",
            "  ft get -r photos -o backup/          the tree photos/ as backup/photos/, with its dates",
            "  ft get -i wanted.txt --json -o in/   one remote path per line; JSON Lines out",
            "  ft get big.iso -o - | tar x          to standard output, verified at the end (exit 5 if damaged)",
            "",
            "Arguments are remote paths ('logs/', './a', '/' for the root all work); the destination",
            "is only ever -o or -t. Patterns: * and ? (not across '/'), ** (any depth), [abc], [!abc].",
            "Prints '<md5>  <local path>' per file on success, like md5sum."
        })
final class GetCommand extends ClientCommand {
    @Mixin
    HelpOption help;

    @Mixin
    BatchOptions batch;

    @Parameters(
            arity = "0..*",
            paramLabel = "REMOTE",
            description = "Remote files, glob patterns, or with -r directories.")
    List<String> remotes = new ArrayList<>();

    @Option(
            names = {"-o", "--output"},
            paramLabel = "LOCAL",
            description = "Where to write: a file name for one file, else a directory (created if missing); "
                    + "'-' for standard output (one file).")
    String output;

    @Option(
            names = {"-t", "--target-directory"},
            paramLabel = "DIR",
            description = "Download into this local directory (created if missing), however many files.")
    String targetDirectory;

    @Option(
            names = {"-r", "--recursive"},
            description = "Download directories with everything in them; " + "files keep their modification times.")
    boolean recursive;

    @Option(
            names = {"-i", "--input"},
            paramLabel = "FILE",
            description = "Read remote paths from FILE, one per line ('-' = stdin; blank lines and #comments skipped).")
    String input;

    @Option(names = "--no-resume", description = "Ignore partial downloads and start from the first byte.")
    boolean noResume;

    @Override
    public Integer call() throws FtException, InterruptedException {
        batch.check(ft);
        if (output != null && targetDirectory != null) {
            throw ft.usage("-o and -t cannot be used together");
        }
        List<String> specs = new ArrayList<>(remotes);
        if (input != null) {
            specs.addAll(readList(input));
        }
        if (specs.isEmpty() && input == null) {
            throw ft.usage("Missing required parameter: 'REMOTE'");
        }
        if ("-".equals(output)) {
            return toStandardOutput(specs);
        }
        List<RemotePath> paths = specs.stream().map(ft::remote).toList();
        boolean isBatch = recursive || input != null || specs.size() != 1 || Glob.hasWildcards(specs.getFirst());
        BatchOptions.Plan plan;
        if (isBatch) {
            List<Outcome> early = new ArrayList<>();
            List<Transfer> transfers = plan(specs, paths, early);
            plan = new BatchOptions.Plan(early, transfers, true, recursive, !noResume, RemoteListing.NONE);
        } else {
            RemotePath only = paths.getFirst();
            if (only.isRoot()) {
                throw ft.usage("'" + specs.getFirst() + "' is the served root: use -r to download all of it");
            }
            plan = new BatchOptions.Plan(
                    List.of(),
                    List.of(Transfer.get(only.path(), singleTarget(only))),
                    false,
                    false,
                    !noResume,
                    RemoteListing.NONE);
        }
        return batch.run(
                ft,
                spec.commandLine().getOut(),
                spec.commandLine().getErr(),
                plan,
                Notes.choose(ft, spec.commandLine().getErr()));
    }

    /** {@code -o -}: one plain file, its bytes on standard output and nothing else there. */
    private int toStandardOutput(List<String> specs) throws FtException {
        if (specs.size() != 1 || recursive || input != null || Glob.hasWildcards(specs.getFirst())) {
            throw ft.usage("-o - writes exactly one remote file to standard output");
        }
        if (batch.json) {
            throw ft.usage("--json cannot be used with -o -: standard output carries the file");
        }
        RemotePath remote = ft.remoteBelowRoot(specs.getFirst());
        spec.commandLine().getOut().flush();
        try {
            new StreamDownload(
                            ft::connect,
                            batch.retries,
                            BatchOptions.firstBackoff(ft),
                            Notes.choose(ft, spec.commandLine().getErr()),
                            batch.throttle())
                    .download(remote.path(), ft.stdout());
            return 0;
        } catch (FtException e) {
            throw Failures.prefixed("get " + remote, e);
        }
    }

    /** The directory files go to in a batch: -t, else -o, else the current one. */
    private Path outputDirectory() {
        String dir = targetDirectory != null ? targetDirectory : output != null ? output : ".";
        Path out = Path.of(dir);
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw ft.usage((targetDirectory != null ? "-t " : "-o ") + dir
                    + " must be a directory when getting several files");
        }
        return out;
    }

    /**
     * Expands patterns and trees on the server and maps every file to a path in the output
     * directory. A spec that cannot be expanded (a refusal, the server out of reach) becomes a
     * failed outcome of its own, so that every argument is reported once.
     */
    private List<Transfer> plan(List<String> specs, List<RemotePath> paths, List<Outcome> early) throws FtException {
        Path out = outputDirectory();
        Map<Path, Transfer> byTarget = new LinkedHashMap<>();
        List<Path> directories = new ArrayList<>();
        Server server = new Server();
        try {
            for (int i = 0; i < specs.size(); i++) {
                String typed = specs.get(i);
                RemotePath remote = paths.get(i);
                try {
                    if (Glob.hasWildcards(remote.path())) {
                        expand(server.client(), remote.path(), out, byTarget, early);
                    } else if (recursive && isDirectory(server.client(), remote)) {
                        Path top = remote.isRoot() ? out : out.resolve(fileName(remote));
                        directories.add(top);
                        walk(server.client(), remote, top, byTarget, directories, early);
                    } else {
                        if (remote.isRoot()) {
                            throw ft.usage("'" + typed + "' is the served root: use -r to download all of it");
                        }
                        if (i == specs.size() - 1 && i > 0) {
                            refuseLocalDirectoryAsRemote(server, typed, remote);
                        }
                        add(byTarget, remote.path(), out.resolve(fileName(remote)), Transfer.UNKNOWN_SIZE);
                    }
                } catch (RemoteException e) {
                    early.add(Outcome.failed(Transfer.get(remote.path(), out), e, Duration.ZERO));
                } catch (FtException e) {
                    if (e instanceof BadResponseException) {
                        throw e;
                    }
                    // The server is out of reach: this spec fails, and so will the rest that need it.
                    server.broken = e;
                    early.add(Outcome.failed(Transfer.get(remote.path(), out), e, Duration.ZERO));
                }
            }
        } catch (IllegalArgumentException e) {
            throw ft.usage("bad pattern: " + e.getMessage());
        } catch (UnsafeName e) {
            throw new BadResponseException("the server listed an unsafe or unrequested path '"
                    + Terminal.safe(e.getMessage()) + "'; refusing");
        } finally {
            server.close();
        }
        for (Path dir : directories) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw LocalErrors.failure("cannot create directory " + dir, e);
            }
        }
        return new ArrayList<>(byTarget.values());
    }

    /** Every file a pattern matches on the server; one that matches nothing is NOT_FOUND, like a shell glob. */
    private static void expand(
            FtClient client, String pattern, Path out, Map<Path, Transfer> byTarget, List<Outcome> early)
            throws FtException {
        Glob glob = Glob.compile(pattern);
        String prefix = glob.literalPrefixDirectory();
        long found = client.find("", pattern, e -> {
            // The server's word is not enough: only files the pattern really matches may be
            // written (a hostile server could list .bashrc).
            if (e.type() != EntryType.FILE || !glob.matches(e.path())) {
                throw new UnsafeName(e.path());
            }
            add(byTarget, e.path(), out.resolve(local(strip(prefix, e.path()))), e.size());
        });
        if (found == 0) {
            early.add(Outcome.failed(
                    Transfer.get(pattern, out),
                    new RemoteException(ErrorCode.NOT_FOUND, "no remote file matches '" + pattern + "'"),
                    Duration.ZERO));
        }
    }

    /** A remote tree: its files to fetch, its directories to create, its links reported as skipped. */
    private static void walk(
            FtClient client,
            RemotePath remote,
            Path top,
            Map<Path, Transfer> byTarget,
            List<Path> directories,
            List<Outcome> early)
            throws FtException {
        client.find(remote.path(), null, e -> {
            Path target = top.resolve(local(strip(remote.path(), e.path())));
            switch (e.type()) {
                case DIR -> directories.add(target);
                case FILE -> add(byTarget, e.path(), target, e.size());
                case LINK ->
                    early.add(
                            Outcome.skipped(
                                    Transfer.get(e.path(), target),
                                    "a symbolic link the server "
                                            + "does not follow (it leads outside the served root, nowhere, or round in a loop)"));
                case OTHER ->
                    early.add(Outcome.skipped(Transfer.get(e.path(), target), "not a regular file or directory"));
            }
        });
    }

    /**
     * {@code ft get a b data} where {@code data} is a local directory and no remote file: the
     * user meant "into data" (cp's habit), which only -o or -t says. Refused before anything
     * moves, instead of fetching a and b elsewhere and failing on "data".
     */
    private void refuseLocalDirectoryAsRemote(Server server, String typed, RemotePath remote) throws FtException {
        if (output != null || targetDirectory != null || !Files.isDirectory(Path.of(typed))) {
            return;
        }
        try {
            server.client().stat(remote.path());
        } catch (RemoteException e) {
            if (e.error() == ErrorCode.NOT_FOUND) {
                throw ft.usage("'" + typed + "' is a local directory, not a remote path; to download into it, "
                        + "use -t " + typed + " (or -o " + typed + "/)");
            }
        }
    }

    /** The one connection planning needs, opened only when a spec needs the server. */
    private final class Server {
        FtClient client;
        FtException broken;

        FtClient client() throws FtException {
            if (broken != null) {
                throw broken;
            }
            if (client == null) {
                client = ft.connect();
            }
            return client;
        }

        void close() {
            if (client != null) {
                client.close();
            }
        }
    }

    /** One file to fetch; {@code size} is what a listing showed (for the progress line only). */
    private static void add(Map<Path, Transfer> byTarget, String remote, Path target, long size) {
        byTarget.putIfAbsent(target.normalize(), Transfer.get(remote, target, size));
    }

    private static boolean isDirectory(FtClient client, RemotePath remote) throws FtException {
        if (remote.isRoot()) {
            return true;
        }
        try {
            return client.stat(remote.path()).type() == EntryType.DIR;
        } catch (RemoteException e) {
            if (e.error() == ErrorCode.NOT_FOUND) {
                return false; // reported per file when the transfer runs
            }
            throw e;
        }
    }

    /** The part of a root-relative server path below {@code base}. */
    private static String strip(String base, String path) {
        if (base.isEmpty()) {
            return path;
        }
        if (!path.startsWith(base + "/")) {
            throw new UnsafeName(path);
        }
        return path.substring(base.length() + 1);
    }

    /**
     * A server-supplied relative path as a local relative path; anything that could climb out
     * of the output directory is refused, whatever the server says.
     */
    private static Path local(String relative) {
        if (relative.isEmpty()
                || relative.startsWith("/")
                || relative.indexOf('\\') >= 0
                || relative.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new UnsafeName(relative);
        }
        for (String segment : relative.split("/", -1)) {
            boolean drive = segment.length() >= 2 && segment.charAt(1) == ':' && Character.isLetter(segment.charAt(0));
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || drive) {
                throw new UnsafeName(relative);
            }
        }
        return Path.of(relative);
    }

    /** Carries a hostile server path out of a listing callback. */
    private static final class UnsafeName extends RuntimeException {
        UnsafeName(String path) {
            super(path, null, false, false);
        }
    }

    /** Where one plain file goes: -t DIR/NAME; -o as a name, or into it as a directory; else ./NAME. */
    /** The local name for a remote file: its base name, which '..' is not. */
    private String fileName(RemotePath remote) {
        String base = remote.baseName();
        if (base.equals("..")) {
            throw ft.usage("REMOTE '" + remote + "' does not name a file");
        }
        return base;
    }

    private Path singleTarget(RemotePath remote) throws FtException {
        String base = fileName(remote);
        if (targetDirectory != null) {
            return createDirectory(Path.of(targetDirectory)).resolve(base);
        }
        if (output == null) {
            return Path.of(base);
        }
        Path out = Path.of(output);
        if (output.endsWith("/")) {
            return createDirectory(out).resolve(base);
        }
        return Files.isDirectory(out) ? out.resolve(base) : out;
    }

    private static Path createDirectory(Path dir) throws FtException {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw LocalErrors.failure("cannot create directory " + dir, e);
        }
    }

    private List<String> readList(String file) throws FtException {
        try (BufferedReader r = file.equals("-")
                ? new BufferedReader(new InputStreamReader(ft.stdin(), StandardCharsets.UTF_8))
                : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            List<String> paths = new ArrayList<>();
            String line;
            while ((line = r.readLine()) != null) {
                String path = line.strip();
                if (!path.isEmpty() && !path.startsWith("#")) {
                    paths.add(path);
                }
            }
            return paths;
        } catch (IOException e) {
            throw LocalErrors.failure("cannot read the list " + file, e);
        }
    }
}
