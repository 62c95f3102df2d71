package ft.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {
    @ParameterizedTest
    @CsvSource({
        "0,0",
        "1048576,1048576",
        "17B,17",
        "500K,512000",
        "500k,512000",
        "20M,20971520",
        "1G,1073741824",
        "1.5G,1610612736",
        "10GiB,10737418240",
        "1KB,1000",
        "2mb,2000000",
        "1T,1099511627776",
        "' 3 K ',3072",
        "1.0001K,1024"
    })
    void parsesNumbersWithBinaryAndDecimalSuffixes(String text, long bytes) {
        assertEquals(bytes, ByteSize.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "K", "-1", "1.5", "1X", "1iB", "1 GB extra", "0x10", "99999999999P", "1e3"})
    void refusesWhatIsNotASize(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @Test
    void formatsInBinaryUnits() {
        assertEquals("17 B", ByteSize.format(17));
        assertEquals("1.5 KiB", ByteSize.format(1536));
        assertEquals("310.0 MiB", ByteSize.format(310L << 20));
        assertEquals("10.0 GiB", ByteSize.format(10L << 30));
    }
}
