package ft.cli;

import java.util.function.Function;
import picocli.CommandLine.TypeConversionException;

/** What the option converters share: a parser's complaint becomes picocli's usage error. */
final class Converters {
    private Converters() {}

    /** {@code parser} applied to {@code value}; an IllegalArgumentException turns into a usage error with its message. */
    static <T> T parse(Function<String, T> parser, String value) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
