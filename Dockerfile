# Multi-stage build: compile with the Maven wrapper on a JDK, run on a JRE.
FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN ./mvnw -B -q dependency:go-offline
COPY src src
RUN ./mvnw -B -q -DskipTests package

FROM eclipse-temurin:21-jre
RUN useradd --system --home /app thrillring
WORKDIR /app
COPY --from=build /src/target/thrillring.jar /app/thrillring.jar
COPY --from=build /src/target/lib /app/lib
COPY rules /app/rules
COPY decision-tables /app/decision-tables
RUN mkdir -p /app/data && chown thrillring /app/data
USER thrillring
ENV THRILLRING_HOST=0.0.0.0 \
    THRILLRING_PORT=7070 \
    THRILLRING_DATA_DIR=/app/data
EXPOSE 7070
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/7070 && printf "GET /ready HTTP/1.0\r\n\r\n" >&3 && head -1 <&3 | grep -q " 200 "'
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/thrillring.jar"]
CMD ["serve"]
