package ft.server.storage.s3;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/** Builds the synchronous S3 client ft uses, and times each of its calls for whoever listens. */
final class S3Clients {
    private S3Clients() {}

    private static final ExecutionAttribute<Long> STARTED = new ExecutionAttribute<>("ft.started");

    /** Listeners told (operation name, nanoseconds) after every S3 call, success or failure. */
    static final class Timing implements ExecutionInterceptor {
        private final List<BiConsumer<String, Long>> listeners = new CopyOnWriteArrayList<>();
        private final List<BiConsumer<String, String>> keyListeners = new CopyOnWriteArrayList<>();
        private final List<Consumer<SdkHttpRequest>> httpListeners = new CopyOnWriteArrayList<>();

        void add(BiConsumer<String, Long> listener) {
            listeners.add(listener);
        }

        /** Tests: told (operation, object key or null) before each call. */
        void addKeyListener(BiConsumer<String, String> listener) {
            keyListeners.add(listener);
        }

        /** Tests: told each HTTP request as it is sent (headers, path). */
        void addHttpListener(Consumer<SdkHttpRequest> listener) {
            httpListeners.add(listener);
        }

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            attributes.putAttribute(STARTED, System.nanoTime());
            if (!keyListeners.isEmpty()) {
                String op = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
                String key =
                        context.request().getValueForField("Key", String.class).orElse(null);
                keyListeners.forEach(l -> l.accept(op, key));
            }
        }

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            httpListeners.forEach(l -> l.accept(context.httpRequest()));
        }

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            tell(attributes);
        }

        @Override
        public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
            tell(attributes);
        }

        private void tell(ExecutionAttributes attributes) {
            Long started = attributes.getAttribute(STARTED);
            if (started == null || listeners.isEmpty()) {
                return;
            }
            long nanos = System.nanoTime() - started;
            String op = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
            for (BiConsumer<String, Long> l : listeners) {
                try {
                    l.accept(op, nanos);
                } catch (RuntimeException e) {
                    // A metrics listener's bug must not fail the storage call it measured.
                }
            }
        }
    }

    static S3Client create(S3Settings settings, Timing timing) {
        var builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(120))
                        .build())
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(settings.pathStyle())
                        .build())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .addExecutionInterceptor(timing)
                        .build());
        if (settings.checksumsWhenRequired()) {
            builder.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        URI endpoint = settings.endpoint();
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        builder.region(region(endpoint != null || System.getenv("AWS_ENDPOINT_URL") != null));
        return builder.build();
    }

    /**
     * The region from the SDK's default chain (AWS_REGION, aws.region, profiles). A self-hosted S3
     * (an endpoint is set) mostly ignores the region but SigV4 needs one: us-east-1 then, as the AWS
     * CLI does.
     */
    private static Region region(boolean customEndpoint) {
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (SdkClientException e) {
            if (customEndpoint) {
                return Region.US_EAST_1;
            }
            throw new IllegalArgumentException(
                    "no AWS region is configured for the S3 store: set AWS_REGION (or a profile's region)", e);
        }
    }
}
