package ft.cli;

import ft.client.FtClient;
import ft.client.FtException;
import ft.client.LocalErrors;
import ft.client.LocalIoException;
import ft.client.Outcome;
import ft.client.RemoteListing;
import ft.client.Transfer;
import ft.protocol.EntryType;
import ft.protocol.Md5;
import ft.transfer.Body;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ft put LOCAL... [REMOTE]}, {@code ft put -t REMOTE_DIR LOCAL...}, {@code ft put - REMOTE}. */
@Command(
        name = "put",
        description = {
            "Upload files; the server verifies each MD5 before a file appears under its name.",
            "Interrupted uploads resume when the same command runs again; files the server",
            "already holds identically (same size and MD5) are skipped as unchanged."
        },
        footer = {
            "",
            "Examples:",
            "  ft put big.iso                  upload as big.iso in the served root",
            "  ft put big.iso isos/            upload as isos/big.iso",
            "  ft put report.pdf q3/final.pdf  upload under another name",
            "  ft put -t data/ *.csv           every .csv into data/, however many the shell finds",
            "  ft put -r photos backup/ -j 8   the tree photos/ as backup/photos/, with its dates",
            "  pg_dump db | ft put - db.sql    standard input, under the name db.sql",
            "",
            "The destination is -t DIR, or the last argument when it does not exist here: a",
            "directory when it ends in '/' or there are several files, else the new name. A last",
            "argument that exists here is never taken as the destination (ft refuses and asks",
            "for -t, or -T for a name). Symbolic links inside -r trees are skipped, and",
            "reported, unless -L follows them. 'ft put - REMOTE' reads standard input into a",
            "private temporary file in $TMPDIR first: the MD5 must be known before the upload starts.",
            "Prints '<md5>  <remote path>' per file, the MD5 the server verified."
        })
final class PutCommand extends ClientCommand {
    /** The argument that means "standard input". */
    private static final String STDIN = "-";

    @Mixin
    HelpOption help;

    @Mixin
    BatchOptions batch;

    @Parameters(
            arity = "1..*",
            paramLabel = "LOCAL",
            description = "Files (with -r also directories) to upload, '-' for standard input; then, without -t, "
                    + "optionally the remote destination.")
    List<String> args = new ArrayList<>();

    @Option(
            names = {"-t", "--target-directory"},
            paramLabel = "REMOTE_DIR",
            description = "Upload every LOCAL into this remote directory (created if missing).")
    String targetDirectory;

    @Option(
            names = {"-T", "--no-target-directory"},
            description = "With exactly two arguments: the second is the remote name, even if a local file has it.")
    boolean noTargetDirectory;

    @Option(
            names = {"-r", "--recursive"},
            description = "Upload directories with everything in them; files keep " + "their modification times.")
    boolean recursive;

    @Option(
            names = {"-L", "--dereference"},
            description = "With -r: follow symbolic links (instead of skipping them).")
    boolean dereference;

    /** Where the arguments go: into a remote directory, or one source under a remote name. */
    private record Destination(String directory, String name) {}

    @Override
    public Integer call() throws FtException, InterruptedException {
        batch.check(ft);
        List<String> sources = new ArrayList<>(args);
        Destination destination = destination(sources);
        List<Transfer> transfers = new ArrayList<>();
        List<Outcome> early = new ArrayList<>();
        List<String> remoteDirs = new ArrayList<>();
        List<String> treeTops = new ArrayList<>();
        Path spool = null;
        try {
            for (String source : sources) {
                if (source.equals(STDIN)) {
                    Spool spooled = spool();
                    spool = spooled.file();
                    transfers.add(Transfer.put(spool, destination.name(), STDIN, spooled.md5()));
                    continue;
                }
                Path local = Path.of(source);
                String remote = destination.name() != null
                        ? destination.name()
                        : join(destination.directory(), fileName(local));
                if (Files.isDirectory(local)) {
                    if (!recursive) {
                        early.add(Outcome.failed(
                                Transfer.put(local, remote),
                                new LocalIoException(
                                        "cannot upload " + source
                                                + ": it is a directory (-r uploads it with everything in it)",
                                        null),
                                Duration.ZERO));
                        continue;
                    }
                    treeTops.add(remote);
                    addTree(transfers, early, remoteDirs, local, remote);
                } else {
                    transfers.add(Transfer.put(local, remote));
                }
            }
            RemoteListing listing = new RemoteListing();
            if (!remoteDirs.isEmpty()) {
                prepareRemoteTrees(remoteDirs, treeTops, listing, transfers, early);
            }
            boolean isBatch = recursive || sources.size() != 1;
            return batch.run(
                    ft,
                    spec.commandLine().getOut(),
                    spec.commandLine().getErr(),
                    new BatchOptions.Plan(early, transfers, isBatch, recursive, true, listing),
                    Notes.choose(ft, spec.commandLine().getErr()));
        } finally {
            if (spool != null) {
                try {
                    Files.deleteIfExists(spool);
                } catch (IOException e) {
                    spec.commandLine()
                            .getErr()
                            .println("ft: warning: cannot remove the temporary file " + spool + ": "
                                    + LocalErrors.why(e));
                }
            }
        }
    }

    /**
     * Splits the arguments into sources and a destination, refusing what could be read two
     * ways: an argument that exists here is never silently taken for the remote destination
     * (a shell glob that matched one file too few would otherwise upload one file under
     * another's name).
     */
    private Destination destination(List<String> sources) {
        if (sources.size() > 1 && targetDirectory == null) {
            ft.remote(sources.getLast()); // an empty destination (an unset $DEST) is a usage error
        }
        if (sources.stream().anyMatch(String::isEmpty)) {
            throw ft.usage("an empty argument is not a local path");
        }
        long stdin = sources.stream().filter(STDIN::equals).count();
        if (targetDirectory != null) {
            if (noTargetDirectory) {
                throw ft.usage("-t and -T cannot be used together");
            }
            if (stdin > 0) {
                throw ft.usage("'-' (standard input) needs a remote name: ft put - REMOTE");
            }
            return new Destination(directory(targetDirectory), null);
        }
        if (noTargetDirectory) {
            if (sources.size() != 2) {
                throw ft.usage("-T takes exactly two arguments: LOCAL REMOTE");
            }
            return new Destination(null, name(sources.removeLast()));
        }
        if (sources.size() == 1) {
            if (stdin > 0) {
                throw ft.usage("'-' (standard input) needs a remote name: ft put - REMOTE");
            }
            return new Destination("", null);
        }
        String last = sources.getLast();
        if (existsHere(last)) {
            throw ft.usage("'" + last + "' exists here, so it is not taken as the remote destination; upload "
                    + "into a remote directory with -t DIR"
                    + (sources.size() == 2 ? ", or under that name with -T" : ""));
        }
        sources.removeLast();
        if (stdin > 1 || (stdin == 1 && sources.size() > 1)) {
            throw ft.usage("'-' (standard input) is uploaded alone: ft put - REMOTE");
        }
        if (sources.size() == 1 && !recursive && !last.endsWith("/")) {
            return new Destination(null, name(last));
        }
        if (stdin > 0) {
            throw ft.usage("'-' (standard input) needs a remote name, not a directory: ft put - REMOTE");
        }
        return new Destination(directory(last), null);
    }

    private static boolean existsHere(String arg) {
        Path p = Path.of(arg);
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }

    private String directory(String typed) {
        return ft.remote(typed).path();
    }

    private String name(String typed) {
        RemotePath p = ft.remoteBelowRoot(typed);
        if (p.trailingSlash()) {
            throw ft.usage("'" + typed + "' ends in '/', so it names a directory, not the file's new name");
        }
        return p.path();
    }

    private String fileName(Path local) {
        Path name = local.toAbsolutePath().normalize().getFileName();
        if (name == null) {
            throw ft.usage("'" + local + "' has no name to upload under; give the remote name");
        }
        return name.toString();
    }

    /** Standard input as a file, and the MD5 it had on the way in. */
    private record Spool(Path file, Md5 md5) {}

    /** Standard input into a private temporary file, hashed on the way: the header needs the MD5 first. */
    private Spool spool() throws LocalIoException {
        if (!ft.quiet) {
            spec.commandLine()
                    .getErr()
                    .println("ft: reading standard input into a temporary file first "
                            + "(the MD5 must be known before the upload starts)");
            spec.commandLine().getErr().flush();
        }
        Path file;
        String tmpdir = ft.env().get("TMPDIR");
        Path dir = Path.of(tmpdir != null && !tmpdir.isEmpty() ? tmpdir : System.getProperty("java.io.tmpdir"));
        try {
            file = Files.createTempFile(
                    dir,
                    "ft-stdin-",
                    ".part",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (IOException e) {
            throw LocalErrors.failure("cannot create a temporary file for standard input", e);
        }
        MessageDigest md5 = Body.newMd5();
        try (InputStream in = new DigestInputStream(ft.stdin(), md5);
                OutputStream out = Files.newOutputStream(file)) {
            in.transferTo(out);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // The failure below is what matters.
            }
            throw LocalErrors.failure("cannot read standard input into " + file, e);
        }
        return new Spool(file, Md5.of(md5.digest()));
    }

    /**
     * Creates every remote directory of the trees (empty ones have no file to carry them) and
     * lists what is already below each tree in one exchange. When the server cannot be
     * reached, every file is reported failed, one line each.
     */
    private void prepareRemoteTrees(
            List<String> remoteDirs,
            List<String> treeTops,
            RemoteListing listing,
            List<Transfer> transfers,
            List<Outcome> early) {
        try (FtClient client = ft.connect()) {
            for (String remoteDir : remoteDirs) {
                client.mkdir(remoteDir, true);
            }
            if (!batch.noClobber) {
                for (String top : treeTops) {
                    list(client, top, listing);
                }
            }
        } catch (FtException e) {
            for (Transfer t : transfers) {
                early.add(Outcome.failed(t, e, Duration.ZERO));
            }
            transfers.clear();
        }
    }

    /**
     * Lists what is already below a remote tree, in one exchange, so that files it does not
     * hold (or holds at another size) are sent without first asking about each. A tree that
     * cannot be listed is simply not covered: each file is then asked about as before.
     */
    private static void list(FtClient client, String top, RemoteListing listing) {
        Map<String, Long> files = new HashMap<>();
        try {
            client.find(top, null, e -> {
                if (e.type() == EntryType.FILE && files.size() <= RemoteListing.MAX_FILES) {
                    files.put(e.path(), e.size());
                }
            });
        } catch (FtException notListed) {
            return;
        }
        listing.covered(top, files);
    }

    /**
     * A local tree: its regular files to upload, its directories to create; symbolic links are
     * followed with -L and otherwise reported as skipped, as is anything that is neither a file
     * nor a directory (a loop of links with -L too).
     */
    private void addTree(
            List<Transfer> transfers, List<Outcome> early, List<String> remoteDirs, Path top, String remoteTop)
            throws LocalIoException {
        Map<Path, Transfer> files = new TreeMap<>();
        Set<FileVisitOption> follow =
                dereference ? EnumSet.of(FileVisitOption.FOLLOW_LINKS) : EnumSet.noneOf(FileVisitOption.class);
        try {
            Files.walkFileTree(top, follow, Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    remoteDirs.add(remoteOf(top, dir, remoteTop));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    Transfer t = Transfer.put(file, remoteOf(top, file, remoteTop));
                    if (attrs.isRegularFile()) {
                        files.put(file, t);
                    } else if (attrs.isSymbolicLink()) {
                        early.add(Outcome.skipped(
                                t,
                                dereference
                                        ? "a symbolic link that leads nowhere"
                                        : "a symbolic link, not followed (-L follows links)"));
                    } else {
                        early.add(Outcome.skipped(t, "not a regular file or directory"));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    Transfer t = Transfer.put(file, remoteOf(top, file, remoteTop));
                    if (e instanceof FileSystemLoopException) {
                        early.add(Outcome.skipped(t, "a symbolic link that leads round in a loop"));
                    } else {
                        early.add(Outcome.failed(t, LocalErrors.failure("cannot read " + file, e), Duration.ZERO));
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw LocalErrors.failure("cannot read the tree " + top, e);
        }
        transfers.addAll(files.values());
    }

    private static String remoteOf(Path top, Path entry, String remoteTop) {
        String remote = remoteTop;
        for (Path segment : top.relativize(entry)) {
            if (!segment.toString().isEmpty()) {
                remote = join(remote, segment.toString());
            }
        }
        return remote;
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : a + "/" + b;
    }
}
