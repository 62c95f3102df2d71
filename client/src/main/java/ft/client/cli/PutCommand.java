package ft.client.cli;

import ft.client.FtClient;
import ft.client.RemoteListing;
import ft.protocol.EntryType;
import ft.client.FtException;
import ft.client.LocalIoException;
import ft.client.Transfer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ft put LOCAL... [REMOTE]}. */
@Command(name = "put",
        description = {"Upload files; the server verifies each MD5 before a file appears under its name.",
                "Interrupted uploads resume when the same command runs again; files the server",
                "already holds identically (same size and MD5) are skipped as unchanged."},
        footer = {"", "Examples:",
                "  ft put big.iso                  upload as big.iso in the served root",
                "  ft put big.iso isos/            upload as isos/big.iso",
                "  ft put report.pdf q3/final.pdf  upload under another name",
                "  ft put *.csv data/              several files into data/",
                "  ft put -r photos backup/ -j 8   the tree photos/ as backup/photos/",
                "", "With several LOCAL files the last argument is the remote directory when it does",
                "not exist locally. Prints '<md5>  <remote path>' per file, the MD5 the server verified."})
final class PutCommand implements Callable<Integer> {
    @ParentCommand
    FtCommand ft;

    @Spec
    CommandSpec spec;

    @Mixin
    BatchOptions batch;

    @Parameters(arity = "1..*", paramLabel = "LOCAL... [REMOTE]",
            description = "Files (with -r also directories) to upload, then optionally the destination.")
    List<String> args = new ArrayList<>();

    @Option(names = {"-r", "--recursive"}, description = "Upload directories with everything in them.")
    boolean recursive;

    @Override
    public Integer call() throws FtException, InterruptedException {
        List<String> sources = new ArrayList<>(args);
        String destination = null;
        boolean namesFile = false;
        if (sources.size() == 2 && !recursive && !sources.get(1).endsWith("/")) {
            destination = sources.remove(1); // ft put LOCAL REMOTE: REMOTE is the new name
            namesFile = true;
        } else if (sources.size() >= 2) {
            String last = sources.getLast();
            if (last.endsWith("/") || !Files.exists(Path.of(last))) {
                destination = sources.removeLast();
            }
        }
        String dir = destination == null || namesFile ? "" : trimSlashes(destination);
        List<Transfer> transfers = new ArrayList<>();
        List<String> remoteDirs = new ArrayList<>();
        List<String> treeTops = new ArrayList<>();
        for (String source : sources) {
            Path local = Path.of(source);
            String name = local.getFileName() == null ? "" : local.getFileName().toString();
            if (recursive && Files.isDirectory(local)) {
                treeTops.add(join(dir, name));
                addTree(transfers, remoteDirs, local, join(dir, name));
            } else if (namesFile) {
                transfers.add(Transfer.put(local, destination));
            } else {
                transfers.add(Transfer.put(local, join(dir, name)));
            }
        }
        RemoteListing listing = new RemoteListing();
        if (!remoteDirs.isEmpty()) {
            // Empty directories have no file to carry them over; create every one explicitly.
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
                throw Failures.prefixed("put " + String.join(" ", sources), e);
            }
        }
        boolean isBatch = recursive || transfers.size() != 1;
        return batch.run(ft, spec.commandLine().getOut(), spec.commandLine().getErr(), List.of(), transfers, isBatch,
                true, Notes.choose(ft, spec.commandLine().getErr()), listing);
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

    private void addTree(List<Transfer> transfers, List<String> remoteDirs, Path top, String remoteTop)
            throws LocalIoException {
        try (Stream<Path> entries = Files.walk(top)) {
            for (Path entry : (Iterable<Path>) entries.sorted()::iterator) {
                String remote = remoteTop;
                for (Path segment : top.relativize(entry)) {
                    if (!segment.toString().isEmpty()) {
                        remote = join(remote, segment.toString());
                    }
                }
                if (Files.isDirectory(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    remoteDirs.add(remote);
                } else if (Files.isRegularFile(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    transfers.add(Transfer.put(entry, remote));
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new LocalIoException("cannot read the tree " + top + ": " + e.getMessage(), null);
        }
    }

    private String trimSlashes(String path) {
        String p = path;
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.startsWith("/")) {
            throw new ParameterException(spec.commandLine(), "REMOTE '" + path + "' must be relative to the served root");
        }
        return p;
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : a + "/" + b;
    }
}
