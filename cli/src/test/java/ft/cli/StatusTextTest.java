package ft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ft.cli.StatusText.Part;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusTextTest {
    @Test
    void middleEllipsisKeepsBothEndsOfAName() {
        assertThat(StatusText.middle("abcdefghijklmnopqrstuvwxyz", 10, "\u2026"))
                .isEqualTo("abcde\u2026wxyz");
        assertThat(StatusText.middle("abcdefghijklmnopqrstuvwxyz", 10, "...")).isEqualTo("abcd...xyz");
        assertThat(StatusText.middle("short.txt", 10, "\u2026")).isEqualTo("short.txt");
    }

    @Test
    void wideCharactersCountTwoColumnsAndCombiningMarksNone() {
        assertThat(StatusText.columns("報告書.pdf")).isEqualTo(10);
        assertThat(StatusText.columns("e\u0301t\u00e9")).isEqualTo(3);
        assertThat(StatusText.columns("\uD83D\uDCE6box")).isEqualTo(5);
        String shortened = StatusText.middle("写真/二〇二四年/旅行/京都の写真一覧.zip", 16, "\u2026");
        assertThat(StatusText.columns(shortened)).isLessThanOrEqualTo(16);
        assertThat(shortened).startsWith("写真").endsWith(".zip");
    }

    @Test
    void narrowTerminalsKeepTheMostImportantPartsAndNamesGiveWayFirst() {
        List<Part> parts = List.of(
                Part.named("", "quarterly-report-of-everything.tar.gz", "", ProgressBar.NAME),
                Part.fixed(" 45%", ProgressBar.PERCENT),
                Part.fixed("0.9 GiB / 2.0 GiB", ProgressBar.BYTES),
                Part.fixed("12.0 MiB/s", ProgressBar.RATE),
                Part.fixed("ETA 0:05", ProgressBar.TIME));
        assertThat(StatusText.fit(parts, 200, "\u2026"))
                .isEqualTo("quarterly-report-of-everything.tar.gz  45% 0.9 GiB / 2.0 GiB 12.0 MiB/s ETA 0:05");
        String at60 = StatusText.fit(parts, 60, "\u2026");
        assertThat(at60)
                .isEqualTo("quarterl\u2026g.tar.gz  45% 0.9 GiB / 2.0 GiB 12.0 MiB/s ETA 0:05")
                .hasSize(60);
        assertThat(StatusText.fit(parts, 37, "\u2026"))
                .as("the rate goes, then the bytes; the name takes what is left")
                .isEqualTo("quarterly-r\u2026hing.tar.gz  45% ETA 0:05");
        assertThat(StatusText.fit(parts, 4, "\u2026")).isEqualTo(" 45%");
        assertThat(StatusText.fit(parts, 2, "\u2026")).isEqualTo(" 4");
    }

    @Test
    void namesFromTheServerCannotCarryEscapeSequences() {
        Part p = Part.named("", "evil\u001b]0;pwned\u0007.txt", "", 1);
        assertThat(StatusText.fit(List.of(p), 80, "\u2026"))
                .doesNotContain("\u001b")
                .contains("\\x1b");
    }

    @Test
    void clockTimes() {
        assertThat(StatusText.duration(3)).isEqualTo("0:03");
        assertThat(StatusText.duration(754)).isEqualTo("12:34");
        assertThat(StatusText.duration(3723)).isEqualTo("1:02:03");
    }

    @Test
    void anAsciiTerminalGetsThreeDotsForAnEllipsis() {
        assertThat(StatusLine.ellipsisFor(StandardCharsets.US_ASCII)).isEqualTo("...");
        assertThat(StatusLine.ellipsisFor(StandardCharsets.UTF_8)).isEqualTo("\u2026");
    }
}
