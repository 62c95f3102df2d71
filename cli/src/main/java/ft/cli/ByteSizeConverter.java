package ft.cli;

import ft.transfer.ByteSize;
import picocli.CommandLine.ITypeConverter;

/** Reads an option that takes a size or a rate: {@code 500K}, {@code 20M}, {@code 1TiB}. */
public final class ByteSizeConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        return Converters.parse(ByteSize::parse, value);
    }
}
