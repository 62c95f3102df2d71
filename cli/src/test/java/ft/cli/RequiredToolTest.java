package ft.cli;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** A test whose program is missing skips on a workstation and fails in CI. */
class RequiredToolTest {
    @TempDir
    Path emptyBin;

    @Test
    void aMissingProgramFailsUnderCi() {
        assertThatThrownBy(() -> RequiredTool.require("zsh", Map.of("PATH", emptyBin.toString(), "CI", "true")))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining("zsh")
                .hasMessageContaining("CI=true");
    }

    @Test
    void aMissingProgramSkipsElsewhereSayingWhich() {
        assertThatThrownBy(() -> RequiredTool.require("zsh", Map.of("PATH", emptyBin.toString())))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("zsh is not installed");
    }

    @Test
    void aProgramOnPathIsFine() {
        assertThatCode(() -> RequiredTool.require("sh", Map.of("PATH", "/usr/bin:/bin", "CI", "true")))
                .doesNotThrowAnyException();
    }
}
