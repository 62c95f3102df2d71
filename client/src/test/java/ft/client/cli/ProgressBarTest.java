package ft.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ft.client.Progress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    private final StringWriter sink = new StringWriter();
    private final PrintWriter err = new PrintWriter(sink, true);

    @Test
    void drawsBytesPercentRateAndEtaOnOneRewrittenLine() {
        ProgressBar bar = new ProgressBar(err);
        bar.start("big.iso", 4L << 30, 1L << 30);
        bar.advance(2L << 30);
        bar.finish();
        assertThat(sink.toString())
                .startsWith("\rbig.iso  50% 2.0 GiB / 4.0 GiB ")
                .contains("/s ETA ")
                .endsWith(System.lineSeparator());
    }

    @Test
    void barOnlyWhenStderrIsATerminalAndNothingWhenQuiet() {
        FtCommand tty = new FtCommand(Map.of("FT_STDERR_TTY", "1"));
        assertThat(Notes.choose(tty, err)).isInstanceOf(ProgressBar.class);

        FtCommand pipe = new FtCommand(Map.of());
        assertThat(Notes.choose(pipe, err)).isInstanceOf(Notes.class);

        FtCommand quiet = new FtCommand(Map.of("FT_STDERR_TTY", "1"));
        quiet.quiet = true;
        Progress none = Notes.choose(quiet, err);
        none.note("resuming at 5 bytes");
        assertThat(none).isSameAs(Progress.NONE);
        assertThat(sink.toString()).isEmpty();
    }

    @Test
    void humanSizes() {
        assertThat(ProgressBar.bytes(512)).isEqualTo("512 B");
        assertThat(ProgressBar.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(ProgressBar.bytes(10L << 30)).isEqualTo("10.0 GiB");
    }
}
