package ft.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The training run of ft's start-up archive (scripts/launch.sh): several ft command lines in
 * one JVM, so that the archive the JVM writes at exit holds what all of them load and link.
 * Command lines are separated by {@code ::}; each runs as {@link Main#run} runs it.
 */
public final class Training {
    static final String SEPARATOR = "::";

    private Training() {}

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int failed = run(args, out, err);
        out.flush();
        err.flush();
        System.exit(failed == 0 ? 0 : 1);
    }

    /** Runs every command line; returns how many of them did not exit 0, naming each on {@code err}. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        int failed = 0;
        for (List<String> line : split(args)) {
            int code = Main.run(line.toArray(String[]::new), out, err, System.getenv());
            if (code != 0) {
                err.println("ft training: '" + String.join(" ", line) + "' exited " + code);
                failed++;
            }
        }
        return failed;
    }

    static List<List<String>> split(String[] args) {
        List<List<String>> lines = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String a : Arrays.asList(args)) {
            if (a.equals(SEPARATOR)) {
                if (!current.isEmpty()) {
                    lines.add(current);
                }
                current = new ArrayList<>();
            } else {
                current.add(a);
            }
        }
        if (!current.isEmpty()) {
            lines.add(current);
        }
        return lines;
    }
}
