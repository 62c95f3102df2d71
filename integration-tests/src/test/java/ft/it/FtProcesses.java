package ft.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs the packaged {@code ft.jar} as separate OS processes, the way users do.
 *
 * <p>Every process gets an environment of its own: {@code HOME}, {@code XDG_CACHE_HOME} and
 * {@code XDG_CONFIG_HOME} point into a temporary directory and inherited {@code FT_*}
 * variables are dropped, so neither the developer's config file and variables nor their
 * digest journal can change or be changed by a test. Callers that do not say where
 * ({@link Launch#isolatedIn}) share one such directory per test JVM, deleted when it exits.
 */
final class FtProcesses {
    static final Path JAR =
            Path.of(System.getProperty("ft.jar", "../cli/target/ft.jar")).toAbsolutePath();
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    private static final Pattern SERVING = Pattern.compile("ft: serving .* on (\\S+)$");

    private FtProcesses() {}

    record Result(int exit, String out, String err) {}

    /**
     * How to start one ft JVM: extra JVM options (such as {@code -Xmx32m}) and environment
     * variables, set on top of the inherited environment minus its {@code FT_*} variables.
     */
    record Launch(List<String> jvmOptions, Map<String, String> env, List<String> wrapper) {
        Launch {
            jvmOptions = List.copyOf(jvmOptions);
            env = Map.copyOf(env);
            wrapper = List.copyOf(wrapper);
        }

        Launch(List<String> jvmOptions, Map<String, String> env) {
            this(jvmOptions, env, List.of());
        }

        /** The same launch run through {@code wrapper} (e.g. {@code ip netns exec NS}). */
        Launch through(List<String> wrapper) {
            return new Launch(jvmOptions, env, wrapper);
        }

        /** HOME, XDG_CACHE_HOME and XDG_CONFIG_HOME under {@code home} (created if missing). */
        static Launch isolatedIn(Path home) throws IOException {
            Path cache = Files.createDirectories(home.resolve(".cache"));
            Path config = Files.createDirectories(home.resolve(".config"));
            return new Launch(
                    List.of(),
                    Map.of(
                            "HOME", home.toAbsolutePath().toString(),
                            "XDG_CACHE_HOME", cache.toAbsolutePath().toString(),
                            "XDG_CONFIG_HOME", config.toAbsolutePath().toString()));
        }

        /** The same launch with these JVM options added. */
        Launch withJvmOptions(String... options) {
            List<String> all = new ArrayList<>(jvmOptions);
            all.addAll(List.of(options));
            return new Launch(all, env, wrapper);
        }

        /** The same launch with one more environment variable. */
        Launch withEnv(String name, String value) {
            Map<String, String> all = new HashMap<>(env);
            all.put(name, value);
            return new Launch(jvmOptions, all, wrapper);
        }
    }

    /** The launch of callers that do not choose one: isolated in a directory shared per test JVM. */
    static Launch defaultLaunch() {
        return SharedHome.LAUNCH;
    }

    private static final class SharedHome {
        static final Launch LAUNCH = create();

        private static Launch create() {
            try {
                Path home = Files.createTempDirectory("ft-it-home-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(home)));
                return Launch.isolatedIn(home);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static void deleteTree(Path root) {
            try (Stream<Path> all = Files.walk(root)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException ignored) {
                // best effort at JVM exit
            }
        }
    }

    static List<String> command(String... args) {
        return command(List.of(), args);
    }

    static List<String> command(List<String> jvmOptions, String... args) {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing; build with mvn package first");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(JAVA);
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static ProcessBuilder builder(Launch launch, String... args) {
        List<String> cmd = new ArrayList<>(launch.wrapper());
        cmd.addAll(command(launch.jvmOptions(), args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(name -> name.startsWith("FT_"));
        env.putAll(launch.env());
        return pb.redirectInput(
                ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    }

    /** Runs ft to completion (bounded) in {@code dir}. */
    static Result run(Path dir, String... args) throws IOException, InterruptedException {
        return run(dir, defaultLaunch(), args);
    }

    /** Runs ft to completion (bounded) in {@code dir}, launched as {@code launch} says. */
    static Result run(Path dir, Launch launch, String... args) throws IOException, InterruptedException {
        Process p = start(dir, launch, args);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ft " + String.join(" ", args) + " did not finish in 120 s");
        }
        return new Result(p.exitValue(), Files.readString(dir.resolve(".out")), Files.readString(dir.resolve(".err")));
    }

    /** Starts ft in {@code dir}; stdout and stderr go to {@code dir/.out} and {@code dir/.err}. */
    static Process start(Path dir, String... args) throws IOException {
        return start(dir, defaultLaunch(), args);
    }

    static Process start(Path dir, Launch launch, String... args) throws IOException {
        return builder(launch, args)
                .directory(dir.toFile())
                .redirectOutput(dir.resolve(".out").toFile())
                .redirectError(dir.resolve(".err").toFile())
                .start();
    }

    /** A running {@code ft serve}; closing it kills the process. */
    static final class Server implements AutoCloseable {
        final Process process;
        final String address;
        /** What the server printed up to and including its "serving" line. */
        final List<String> startLines = new ArrayList<>();

        Server(Path root) throws IOException {
            this(root, defaultLaunch());
        }

        Server(Path root, Launch launch) throws IOException {
            this(root, launch, new String[0]);
        }

        /** With extra {@code ft serve} options, e.g. {@code --tls}. */
        Server(Path root, Launch launch, String... extra) throws IOException {
            this(root, "127.0.0.1:0", launch, extra);
        }

        /** Listening on {@code listen}, with extra {@code ft serve} options. */
        Server(Path root, String listen, Launch launch, String... extra) throws IOException {
            List<String> args = new ArrayList<>(List.of("serve", "--root", root.toString(), "--listen", listen));
            args.addAll(List.of(extra));
            process = builder(launch, args.toArray(String[]::new))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            BufferedReader err =
                    new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
            String line;
            String found = null;
            // The server prints its bound address first; the read ends if the process dies.
            while (found == null && (line = err.readLine()) != null) {
                startLines.add(line);
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
