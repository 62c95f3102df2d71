package ft.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace this test run creates (and deletes), with one address outside
 * 127.0.0.0/8 on its loopback interface: a host that is not "this machine" to a client inside
 * it, without any traffic leaving the namespace. Needs root, as CI runs; without it the test
 * fails saying so.
 */
final class NetworkNamespace implements AutoCloseable {
    /** From 192.0.2.0/24, the range RFC 5737 keeps for documentation: no real host has it. */
    static final String ADDRESS = "192.0.2.1";

    final String name;

    NetworkNamespace() throws IOException, InterruptedException {
        name = "ft-it-" + ProcessHandle.current().pid();
        run("ip", "netns", "add", name);
        try {
            run("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up");
            run("ip", "netns", "exec", name, "ip", "addr", "add", ADDRESS + "/32", "dev", "lo");
        } catch (IOException | InterruptedException e) {
            close();
            throw e;
        }
    }

    /** The command prefix that runs a program inside the namespace. */
    List<String> exec() {
        return List.of("ip", "netns", "exec", name);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("ip", "netns", "del", name);
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(new ArrayList<>(List.of(command)))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new IOException(
                    "cannot run " + String.join(" ", command) + " (needs iproute2 and root): " + e.getMessage(), e);
        }
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in 20 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + " (needs root): "
                    + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
        }
    }
}
