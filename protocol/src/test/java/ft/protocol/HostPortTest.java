package ft.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

    @ParameterizedTest(name = "''{0}'' -> {1} port {2}")
    @CsvSource({
        "example.org:9000,   example.org, 9000",
        "example.org,        example.org, 7070",
        "127.0.0.1:0,        127.0.0.1,   0",
        "127.0.0.1:65535,    127.0.0.1,   65535",
        "[::1]:7071,         ::1,         7071",
        "[::1],              ::1,         7070",
        "'  host:1  ',       host,        1"
    })
    void parsesHostAndPortWithDefaultPort7070(String text, String host, int port) {
        assertEquals(new HostPort(host, port), HostPort.parse(text));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                ":80",
                "host:",
                "host:http",
                "host:65536",
                "host:-1",
                "host:99999999999",
                "::1",
                "::1:80",
                "[::1",
                "[::1]80",
                "[]:80",
                "[::1]:",
                "host:+80",
                "host: 80"
            })
    void refusesMalformedAddressesWithIllegalArgumentException(String text) {
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text));
    }

    @ParameterizedTest
    @CsvSource({"example.org, 80, example.org:80", "::1, 7070, [::1]:7070"})
    void printsInTheFormItParses(String host, int port, String text) {
        HostPort hp = new HostPort(host, port);
        assertEquals(text, hp.toString());
        assertEquals(hp, HostPort.parse(hp.toString()));
    }
}
