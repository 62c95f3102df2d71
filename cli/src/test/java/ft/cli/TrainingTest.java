package ft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingTest {
    @Test
    void splitsCommandLinesAtTheSeparatorAndDropsEmptyOnes() {
        assertThat(Training.split(new String[] {"::", "-q", "get", "a", "::", "::", "ls", "-l", "::"}))
                .containsExactly(List.of("-q", "get", "a"), List.of("ls", "-l"));
        assertThat(Training.split(new String[0])).isEmpty();
    }

    @Test
    void runsEveryLineAndCountsTheFailures() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int failed = Training.run(
                new String[] {"--version", "::", "no-such-command", "::", "--help"},
                new PrintWriter(out, true),
                new PrintWriter(err, true));
        assertThat(failed).isEqualTo(1);
        assertThat(out.toString()).contains("ft ").contains("Usage: ft");
        assertThat(err.toString()).contains("ft training: 'no-such-command' exited 2");
    }
}
