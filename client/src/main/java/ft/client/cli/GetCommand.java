package ft.client.cli;

import ft.client.BadResponseException;
import ft.client.FtClient;
import ft.client.FtException;
import ft.client.LocalIoException;
import ft.client.Outcome;
import ft.client.RemoteException;
import ft.client.Transfer;
import ft.protocol.EntryType;
import ft.protocol.ErrorCode;
import ft.protocol.Glob;
import ft.protocol.ListItem;
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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ft get REMOTE... [-o LOCAL]}: one file, many, globs, trees, or a list. */
@Command(name = "get",
        description = {"Download files, verify each MD5, and put each in place atomically.",
                "Interrupted downloads resume when the same command runs again; files already",
                "identical locally (same size and MD5) are skipped as unchanged."},
        footer = {"", "Examples:",
                "  ft get a.txt                         download to ./a.txt",
                "  ft get logs/app.log -o /tmp/         download to /tmp/app.log",
                "  ft get 'logs/*.gz' -o logs/          every .gz file in logs (quote the pattern)",
                "  ft get '**/*.csv' -j 8 -o data/      every .csv anywhere, 8 at a time",
                "  ft get -r photos -o backup/          the tree photos/ as backup/photos/",
                "  ft get -i wanted.txt --json -o in/   one remote path per line; JSON Lines out",
                "", "Patterns: * and ? (not across '/'), ** (any depth), [abc], [!abc].",
                "Prints '<md5>  <local path>' per file on success, like md5sum."})
final class GetCommand implements Callable<Integer> {
    @ParentCommand
    FtCommand ft;

    @Spec
    CommandSpec spec;

    @Mixin
    BatchOptions batch;

    @Parameters(arity = "0..*", paramLabel = "REMOTE", description = "Remote files, glob patterns, or with -r directories.")
    List<String> remotes = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "LOCAL",
            description = "Where to write: a file name for one file, else a directory (created if missing).")
    String output;

    @Option(names = {"-r", "--recursive"}, description = "Download directories with everything in them.")
    boolean recursive;

    @Option(names = {"-i", "--input"}, paramLabel = "FILE",
            description = "Read remote paths from FILE, one per line ('-' = stdin; blank lines and #comments skipped).")
    String input;

    @Option(names = "--no-resume", description = "Ignore partial downloads and start from the first byte.")
    boolean noResume;

    @Override
    public Integer call() throws FtException, InterruptedException {
        List<String> specs = new ArrayList<>(remotes);
        if (input != null) {
            specs.addAll(readList(input));
        }
        if (specs.isEmpty() && input == null) {
            throw new ParameterException(spec.commandLine(), "Missing required parameter: 'REMOTE'");
        }
        boolean isBatch = recursive || input != null || specs.size() != 1 || Glob.hasWildcards(specs.getFirst());
        List<Transfer> transfers;
        List<Outcome> unmatched = new ArrayList<>();
        if (isBatch) {
            transfers = plan(specs, unmatched);
        } else {
            transfers = List.of(Transfer.get(specs.getFirst(), singleTarget(specs.getFirst())));
        }
        return batch.run(ft, spec.commandLine().getOut(), spec.commandLine().getErr(), unmatched, transfers, isBatch,
                !noResume, Notes.choose(ft, spec.commandLine().getErr()));
    }

    /** Expands patterns and trees on the server and maps every file to a path under -o. */
    private List<Transfer> plan(List<String> specs, List<Outcome> unmatched) throws FtException {
        Path out = Path.of(output == null ? "." : output);
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new ParameterException(spec.commandLine(), "-o must be a directory when getting several files");
        }
        Map<Path, Transfer> byTarget = new LinkedHashMap<>();
        List<Path> directories = new ArrayList<>();
        try (FtClient client = ft.connect()) {
            for (String remote : specs) {
                if (Glob.hasWildcards(remote)) {
                    Glob glob = Glob.compile(remote);
                    String prefix = glob.literalPrefixDirectory();
                    long found = client.find("", remote, e -> {
                        // The server's word is not enough: only files the pattern really
                        // matches may be written (a hostile server could list .bashrc).
                        if (e.type() != EntryType.FILE || !glob.matches(e.path())) {
                            throw new UnsafeName(e.path());
                        }
                        add(byTarget, e.path(), out.resolve(local(strip(prefix, e.path()))), e.size());
                    });
                    if (found == 0) {
                        // Like a shell glob that matches nothing: an error for this argument only.
                        unmatched.add(Outcome.failed(Transfer.get(remote, out), new RemoteException(ErrorCode.NOT_FOUND,
                                "no remote file matches '" + remote + "'"), Duration.ZERO));
                    }
                } else if (recursive && isDirectory(client, remote)) {
                    String base = baseName(remote);
                    directories.add(out.resolve(base));
                    client.find(remote, null, e -> {
                        Path target = out.resolve(base).resolve(local(strip(remote, e.path())));
                        if (e.type() == EntryType.DIR) {
                            directories.add(target);
                        } else {
                            add(byTarget, e.path(), target, e.size());
                        }
                    });
                } else {
                    add(byTarget, remote, out.resolve(baseName(remote)), Transfer.UNKNOWN_SIZE);
                }
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "bad pattern: " + e.getMessage());
        } catch (UnsafeName e) {
            throw new BadResponseException("the server listed an unsafe or unrequested path '"
                    + Terminal.safe(e.getMessage()) + "'; refusing");
        }
        for (Path dir : directories) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new LocalIoException("cannot create directory " + dir + ": " + e.getMessage(), e);
            }
        }
        return new ArrayList<>(byTarget.values());
    }

    /** {@code size}: what the listing showed, so that the batch's progress knows its total up front. */
    private static void add(Map<Path, Transfer> byTarget, String remote, Path target, long size) {
        byTarget.putIfAbsent(target.normalize(), Transfer.get(remote, target, size));
    }

    private static boolean isDirectory(FtClient client, String remote) throws FtException {
        try {
            return client.stat(remote).type() == EntryType.DIR;
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
        if (relative.isEmpty() || relative.startsWith("/") || relative.indexOf('\\') >= 0
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

    private Path singleTarget(String remote) throws FtException {
        String base = baseName(remote);
        if (output == null) {
            return Path.of(base);
        }
        Path out = Path.of(output);
        if (output.endsWith("/")) {
            try {
                Files.createDirectories(out);
            } catch (IOException e) {
                throw new LocalIoException("cannot create directory " + out + ": " + e.getMessage(), e);
            }
            return out.resolve(base);
        }
        return Files.isDirectory(out) ? out.resolve(base) : out;
    }

    private String baseName(String path) {
        String base = path.substring(path.lastIndexOf('/') + 1);
        if (base.isEmpty() || base.equals(".") || base.equals("..")) {
            throw new ParameterException(spec.commandLine(), "REMOTE '" + path + "' does not name a file");
        }
        return base;
    }

    private List<String> readList(String file) throws LocalIoException {
        try (BufferedReader r = file.equals("-")
                ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
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
            throw new LocalIoException("cannot read the list " + file + ": " + e.getMessage(), e);
        }
    }
}
