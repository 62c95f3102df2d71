package ft.protocol.bench;

import ft.protocol.FrameReader;
import ft.protocol.FrameWriter;
import ft.protocol.HeaderCodec;
import ft.protocol.Md5;
import ft.protocol.ProtocolException;
import ft.protocol.Request;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Length-prefixed framing alone (no JSON): one frame holding an encoded get request, written
 * to and read from memory.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FrameBenchmark {
    private byte[] payload;
    private ByteArrayOutputStream sink;
    private FrameWriter writer;
    private ByteArrayInputStream source;
    private FrameReader reader;

    @Setup
    public void setUp() throws IOException {
        payload = new HeaderCodec()
                .encode(new Request.Get("photos/2024/holiday.jpg", 0, new Md5("0f343b0931126a20f133d67c2b018a3b")));
        sink = new ByteArrayOutputStream(payload.length + 4);
        writer = new FrameWriter(sink);
        writer.writeFrame(payload);
        source = new ByteArrayInputStream(sink.toByteArray());
        reader = new FrameReader(source);
    }

    @Benchmark
    public int writeFrame() throws IOException {
        sink.reset();
        writer.writeFrame(payload);
        return sink.size();
    }

    @Benchmark
    public byte[] readFrame() throws IOException, ProtocolException {
        source.reset();
        return reader.readFrame();
    }
}
