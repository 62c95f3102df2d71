package ft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TerminalWidthTest {
    @Test
    void theTerminalItselfWinsThenColumnsThenEighty() {
        assertThat(new TerminalWidth(Map.of("COLUMNS", "120"), () -> OptionalInt.of(45)).getAsInt())
                .isEqualTo(45);
        assertThat(new TerminalWidth(Map.of("COLUMNS", "120"), OptionalInt::empty).getAsInt())
                .isEqualTo(120);
        assertThat(new TerminalWidth(Map.of("COLUMNS", "wide"), OptionalInt::empty).getAsInt())
                .isEqualTo(80);
        assertThat(new TerminalWidth(Map.of(), OptionalInt::empty).getAsInt()).isEqualTo(80);
    }

    @Test
    void theTerminalIsAskedOnceNotPerDrawing() {
        AtomicInteger asked = new AtomicInteger();
        TerminalWidth width = new TerminalWidth(Map.of(), () -> {
            asked.incrementAndGet();
            return OptionalInt.empty();
        });
        for (int i = 0; i < 5; i++) {
            width.getAsInt();
        }
        assertThat(asked).hasValue(1);
    }

    @Test
    void withoutATerminalSttyAnswersNothingRatherThanFailing() {
        // Under Maven there is usually no controlling terminal; either way, no exception and no nonsense.
        OptionalInt asked = TerminalWidth.askStty();
        asked.ifPresent(n -> assertThat(n).isPositive());
    }
}
