package ft.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * picocli is compiled from its sources with this module (cli/pom.xml), not taken from the
 * released jar, whose Java 5 class files the JDK keeps out of the start-up archive. These
 * tests fail should the released jar creep back in (a dependency pulling it in again, say).
 */
class PicocliBytecodeTest {
    private static int majorVersion(Class<?> c) throws IOException {
        try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
            assertThat(in).as("class file of %s", c.getName()).isNotNull();
            DataInputStream data = new DataInputStream(in);
            assertThat(data.readInt()).isEqualTo(0xCAFEBABE);
            data.readUnsignedShort(); // minor
            return data.readUnsignedShort();
        }
    }

    @Test
    void picocliIsCompiledLikeFtItself() throws IOException {
        assertThat(majorVersion(CommandLine.class)).isEqualTo(majorVersion(Main.class));
        assertThat(majorVersion(picocli.AutoComplete.class)).isEqualTo(majorVersion(Main.class));
    }

    @Test
    void picocliComesFromThisModulesClassesNotFromTheReleasedJar() {
        assertThat(CommandLine.class.getProtectionDomain().getCodeSource().getLocation())
                .isEqualTo(Main.class.getProtectionDomain().getCodeSource().getLocation());
    }
}
