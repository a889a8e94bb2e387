# mailform's container image, built by GoReleaser (.goreleaser.yaml,
# dockers_v2) from the binaries of the release: nothing is compiled here.
# GoReleaser puts each platform's binary at $TARGETPLATFORM/mailform in the
# build context. The image has a shell, for CI systems that run scripts in
# it (GitLab CI: see examples/gitops/README.md).
FROM alpine:3.22
RUN apk add --no-cache ca-certificates \
 && adduser -D -H -u 10001 mailform
ARG TARGETPLATFORM
COPY $TARGETPLATFORM/mailform /usr/local/bin/mailform
USER mailform
WORKDIR /work
ENTRYPOINT ["mailform"]
