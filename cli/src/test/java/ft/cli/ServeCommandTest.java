package ft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.server.*;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * {@code ft serve} run in-process through picocli, for what it decides before it listens.
 * Nothing here keeps a server running: every case ends before or at the bind.
 */
class ServeCommandTest {
    @TempDir
    Path tmp;

    record Run(int exit, String err) {}

    /** Bounded: a serve that wrongly starts would otherwise run until the test run is killed. */
    private Run serve(String... args) {
        StringWriter err = new StringWriter();
        // Through Main, as the jar runs it: failures exit through ExitStatus's table.
        String[] line = new String[args.length + 1];
        line[0] = "serve";
        System.arraycopy(args, 0, line, 1, args.length);
        int exit = assertTimeoutPreemptively(
                Duration.ofSeconds(30),
                () -> Main.run(
                        line,
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err),
                        Map.of("HOME", tmp.toString())),
                "ft serve started instead of refusing");
        return new Run(exit, err.toString());
    }

    private Path usersFile() throws IOException {
        Path file = tmp.resolve("users.jsonl");
        Users.empty().add("alice", false, null, false).users().save(file);
        return file;
    }

    @Test
    void sizesAndRatesTakeUnits() {
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs("--max-file-size", "10G", "--max-rate", "500K");
        assertEquals(10L << 30, cmd.maxFileSize);
        assertEquals(500L << 10, cmd.maxRate);

        ServeCommand defaults = new ServeCommand();
        new CommandLine(defaults).parseArgs();
        assertEquals(1L << 40, defaults.maxFileSize, "1 TiB");
        assertEquals(0, defaults.maxRate, "no limit");

        ServeCommand plain = new ServeCommand();
        new CommandLine(plain).parseArgs("--max-file-size", "1048576", "--max-rate", "20M");
        assertEquals(1L << 20, plain.maxFileSize);
        assertEquals(20L << 20, plain.maxRate);
    }

    @Test
    void aSizeThatIsNoSizeIsAUsageError() {
        Run r = serve("--root", tmp.resolve("root").toString(), "--max-rate", "fast");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("'fast' is not a size"), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0:0", "[::]:0"})
    void usersOffLoopbackWithoutTlsRefusesToStart(String listen) throws IOException {
        Path root = tmp.resolve("root");
        Run r = serve("--root", root.toString(), "--users", usersFile().toString(), "--listen", listen);

        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("(UNSAFE_LISTEN)"), r.err());
        assertTrue(r.err().contains("clients send tokens only over TLS off loopback"), r.err());
        assertTrue(
                r.err().contains("--tls")
                        && r.err().contains("127.0.0.1")
                        && r.err().contains("SSH tunnel"),
                r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line for people: " + r.err());
        assertFalse(r.err().contains("warning"), "a refusal, not a warning: " + r.err());
    }

    @Test
    void usersOffLoopbackWithCertAndKeyGetsPastTheTlsRule() throws IOException {
        // Certificate files that cannot be read stop the start later, with their own code: proof
        // that the TLS rule itself let --cert/--key through.
        Path cert = Files.writeString(tmp.resolve("cert.pem"), "not a certificate\n");
        Path key = Files.writeString(tmp.resolve("key.pem"), "not a key\n");
        Run r = serve(
                "--root",
                tmp.resolve("root").toString(),
                "--users",
                usersFile().toString(),
                "--listen",
                "0.0.0.0:0",
                "--cert",
                cert.toString(),
                "--key",
                key.toString());

        assertEquals(2, r.exit(), r.err());
        assertFalse(r.err().contains("UNSAFE_LISTEN"), r.err());
        assertTrue(r.err().contains("(BAD_CERTIFICATE)"), r.err());
    }

    @Test
    void aMetricsAddressInUseStopsServeAndNamesTheMetricsAddress() throws IOException {
        // The ft listener binds first (a free port); the metrics address is taken by this socket.
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String metrics = "127.0.0.1:" + taken.getLocalPort();
            Run r = serve("--root", tmp.resolve("root").toString(), "--listen", "127.0.0.1:0", "--metrics", metrics);

            assertTrue(r.exit() != 0, r.err());
            assertTrue(r.err().contains("(LISTEN_FAILED)"), r.err());
            assertTrue(r.err().contains("cannot listen for metrics on " + metrics), r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line for people: " + r.err());
        }
    }

    /** A root whose {@code .ft} is as the server makes it (0700, its own), for planting inside. */
    private Path rootWithState() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Files.createDirectory(
                root.resolve(".ft"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return root;
    }

    private static void assertOneClearRefusal(Run r, String... parts) {
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("(UNSAFE_STATE)"), r.err());
        for (String part : parts) {
            assertTrue(r.err().contains(part), "'" + part + "' in: " + r.err());
        }
        assertEquals(1, r.err().strip().lines().count(), "one line for people, no stack trace: " + r.err());
    }

    @Test
    void aPlantedTlsDirectoryStopsServeWithTls() throws IOException {
        Path root = rootWithState();
        Path evil = Files.createDirectory(tmp.resolve("evil"));
        Files.createSymbolicLink(root.resolve(".ft/tls"), evil);

        Run r = serve("--root", root.toString(), "--listen", "127.0.0.1:0", "--tls");

        assertOneClearRefusal(r, ".ft/tls is a symlink", "rm ");
        try (var listing = Files.list(evil)) {
            assertEquals(0, listing.count(), "nothing written into the attacker's directory");
        }
    }

    @Test
    void aTlsDirectoryOfAnotherUserStopsServeWithTls() throws IOException {
        Path root = rootWithState();
        Path tls = Files.createDirectory(
                root.resolve(".ft/tls"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setAttribute(tls, "unix:uid", 12345, LinkOption.NOFOLLOW_LINKS);

        Run r = serve("--root", root.toString(), "--listen", "127.0.0.1:0", "--tls");

        assertOneClearRefusal(r, "belongs to 12345", "chown -R ");
    }

    @Test
    void aKeyOthersCanReadInTheStateStopsServeWithTls() throws IOException {
        Path root = rootWithState();
        PemStore.loadOrCreate(root.resolve(".ft"));
        Path key = root.resolve(".ft/tls/key.pem");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));

        Run r = serve("--root", root.toString(), "--listen", "127.0.0.1:0", "--tls");

        assertOneClearRefusal(r, "permissions 0644", "too open", "chmod 600 " + key);
    }

    @Test
    void aPlantedDigestIndexLinkStopsServeAndItsTargetIsUntouched() throws IOException {
        Path root = rootWithState();
        Path canary = Files.writeString(tmp.resolve("canary"), "precious\n");
        Files.createSymbolicLink(root.resolve(".ft/digests"), canary);

        Run r = serve("--root", root.toString(), "--listen", "127.0.0.1:0");

        assertOneClearRefusal(r, "digests is a symlink", "rm ");
        assertEquals("precious\n", Files.readString(canary));
    }

    @Test
    void anOperatorKeyOthersCanReadIsRefusedLikeSshDoes() throws IOException {
        Path own = tmp.resolve("own");
        PemStore.loadOrCreate(own);
        Path cert = own.resolve("tls/cert.pem");
        Path key = own.resolve("tls/key.pem");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));

        Run r = serve(
                "--root",
                tmp.resolve("root").toString(),
                "--listen",
                "127.0.0.1:0",
                "--cert",
                cert.toString(),
                "--key",
                key.toString());

        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("(BAD_CERTIFICATE)"), r.err());
        assertTrue(r.err().contains("too open") && r.err().contains("chmod 600 " + key), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3://", "s3:///prefix", "http://bucket/x", "s3://Bad_Bucket!/x", "bucket/prefix"})
    void aStoreThatIsNoS3UrlIsAUsageError(String url) {
        Run r = serve("--store", url, "--listen", "127.0.0.1:0");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--store"), r.err());
    }

    @Test
    void aStoreAndARootOnTheCommandLineConflict() {
        Run r = serve("--store", "s3://bucket/files", "--root", tmp.toString(), "--listen", "127.0.0.1:0");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--root and --store cannot be used together"), r.err());
    }

    @Test
    void tlsOnAStoreNeedsTheCertificateEveryServerShares() {
        Run r = serve("--store", "s3://bucket/files", "--tls", "--listen", "127.0.0.1:0");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--tls with --store needs --cert and --key"), r.err());
    }

    @Test
    void s3SettingsAreCheckedBeforeAnythingIsContacted() {
        Run mode = serve("--store", "s3://bucket/files", "--s3-checksums", "sometimes", "--listen", "127.0.0.1:0");
        assertEquals(2, mode.exit(), mode.err());
        assertTrue(mode.err().contains("--s3-checksums must be when-supported or when-required"), mode.err());

        Run part = serve("--store", "s3://bucket/files", "--s3-part-size", "1M", "--listen", "127.0.0.1:0");
        assertEquals(2, part.exit(), part.err());
        assertTrue(part.err().contains("5"), part.err());
    }
}
