package ft.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the packaged {@code ft.jar} as separate OS processes, the way users do. */
final class FtProcesses {
    static final Path JAR = Path.of(System.getProperty("ft.jar", "../client/target/ft.jar")).toAbsolutePath();
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    private static final Pattern SERVING = Pattern.compile("ft: serving .* on (\\S+)$");

    private FtProcesses() {}

    record Result(int exit, String out, String err) {}

    static List<String> command(String... args) {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing; build with mvn package first");
        }
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs ft to completion (bounded) in {@code dir}. */
    static Result run(Path dir, String... args) throws IOException, InterruptedException {
        Process p = start(dir, args);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ft " + String.join(" ", args) + " did not finish in 120 s");
        }
        return new Result(p.exitValue(), Files.readString(dir.resolve(".out")), Files.readString(dir.resolve(".err")));
    }

    static Process start(Path dir, String... args) throws IOException {
        return new ProcessBuilder(command(args))
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(dir.resolve(".out").toFile())
                .redirectError(dir.resolve(".err").toFile())
                .start();
    }

    /** A running {@code ft serve}; closing it kills the process. */
    static final class Server implements AutoCloseable {
        final Process process;
        final String address;

        Server(Path root) throws IOException {
            process = new ProcessBuilder(command("serve", "--root", root.toString(), "--listen", "127.0.0.1:0"))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
            String line;
            String found = null;
            // The server prints its bound address first; the read ends if the process dies.
            while (found == null && (line = err.readLine()) != null) {
                Matcher m = SERVING.matcher(line);
                if (m.find()) {
                    found = m.group(1);
                }
            }
            if (found == null) {
                process.destroyForcibly();
                throw new IOException("ft serve exited without serving");
            }
            address = found;
            // Keep draining the access log so the server never blocks on a full pipe.
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    err.transferTo(java.io.Writer.nullWriter());
                } catch (IOException ended) {
                    // the server process ended
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
