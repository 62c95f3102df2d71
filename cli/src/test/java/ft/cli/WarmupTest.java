package ft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WarmupTest {
    @Test
    void runsForSubcommandsOnlyNeverForTheVersionHelpOrATypo() {
        assertThat(Warmup.wanted(Main.subcommandOf(new String[] {"get", "a"}))).isTrue();
        assertThat(Warmup.wanted(Main.subcommandOf(new String[] {"-q", "put", "a"})))
                .isTrue();
        assertThat(Warmup.wanted(Main.subcommandOf(new String[] {"serve"}))).isTrue();
        assertThat(Warmup.wanted(Main.subcommandOf(new String[] {"--version"}))).isFalse();
        assertThat(Warmup.wanted(Main.subcommandOf(new String[] {"--help"}))).isFalse();
        assertThat(Warmup.wanted(Main.subcommandOf(new String[] {"gte", "a"}))).isFalse();
        assertThat(Warmup.wanted(Main.subcommandOf(new String[] {}))).isFalse();
    }

    @Test
    void onlyInitialisesWhatItNamesAndNeverThrows() {
        // Every class it names must exist, or it would silently warm nothing.
        Warmup.run();
        assertThat(Warmup.class.getClassLoader().getResource("com/fasterxml/jackson/core/base/ParserMinimalBase.class"))
                .isNotNull();
    }
}
