package ft.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted over a directory: a disk that really fills up. Mounting needs root (and
 * CAP_SYS_ADMIN), which CI has; where it is missing the test fails, saying why, never skips.
 */
public final class SmallDisk {
    private SmallDisk() {}

    /** Mounts a tmpfs of {@code size} ({@code mount}'s syntax: "5m") over {@code dir}. */
    public static void mount(Path dir, String size) throws IOException, InterruptedException {
        String why = run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs", dir.toString());
        if (why != null) {
            fail("cannot mount a " + size + " tmpfs over " + dir + " (" + why + "): run the tests as root with "
                    + "CAP_SYS_ADMIN, as CI does");
        }
    }

    /** Unmounts it lazily (files still open keep it until they close). */
    public static void unmount(Path dir) throws IOException, InterruptedException {
        String why = run("umount", "-l", dir.toString());
        if (why != null) {
            throw new IOException("umount -l " + dir + ": " + why);
        }
    }

    /** Null when the command succeeded, else what went wrong. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return "cannot run " + command[0] + ": " + e.getMessage();
        }
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return command[0] + " did not finish in 20 s";
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return p.exitValue() == 0 ? null : command[0] + " exited " + p.exitValue() + ": " + out;
    }
}
