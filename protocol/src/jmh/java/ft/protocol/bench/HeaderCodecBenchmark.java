package ft.protocol.bench;

import ft.protocol.HeaderCodec;
import ft.protocol.Md5;
import ft.protocol.ProtocolException;
import ft.protocol.Request;
import ft.protocol.Response;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JSON headers of a download, both ways: the client's get request (with if_md5, as a resume
 * sends it) and the server's get-ok answer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HeaderCodecBenchmark {
    private static final Md5 MD5 = new Md5("0f343b0931126a20f133d67c2b018a3b");

    private HeaderCodec codec;
    private Request.Get get;
    private Response.GetOk getOk;
    private byte[] getBytes;
    private byte[] getOkBytes;

    @Setup
    public void setUp() {
        codec = new HeaderCodec();
        get = new Request.Get("photos/2024/holiday.jpg", 1_048_576, MD5);
        getOk = new Response.GetOk("holiday.jpg", 7_340_032, MD5, 1_048_576);
        getBytes = codec.encode(get);
        getOkBytes = codec.encode(getOk);
    }

    @Benchmark
    public byte[] encodeGetRequest() {
        return codec.encode(get);
    }

    @Benchmark
    public Request decodeGetRequest() throws ProtocolException {
        return codec.decodeRequest(getBytes);
    }

    @Benchmark
    public byte[] encodeGetOk() {
        return codec.encode(getOk);
    }

    @Benchmark
    public Response decodeGetOk() throws ProtocolException {
        return codec.decodeResponse(getOkBytes, Response.GetOk.class);
    }
}
