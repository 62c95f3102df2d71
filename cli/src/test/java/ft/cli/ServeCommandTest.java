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
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * {@code ft serve} run in-process through picocli, for what it decides before it listens.
 * Nothing here starts a server: every case ends before the bind.
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
}
