package ft.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * For tests that need a program such as zsh or tmux: on a machine without it they are skipped,
 * saying so; under {@code CI=true} they fail instead, so CI can never pass without running them
 * ({@code .ci/run} installs the programs and sets CI=true).
 */
final class RequiredTool {
    private RequiredTool() {}

    static void require(String program) {
        require(program, System.getenv());
    }

    /** {@code env}: where PATH and CI come from. */
    static void require(String program, Map<String, String> env) {
        if (onPath(program, env.get("PATH"))) {
            return;
        }
        String missing = program + " is not installed (.ci/run installs it with apt-get)";
        if ("true".equalsIgnoreCase(env.get("CI"))) {
            fail(missing + "; CI=true, so this test fails rather than skip");
        }
        Assumptions.abort(missing + "; skipped here, a failure under CI=true");
    }

    private static boolean onPath(String program, String path) {
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
