package dev.thrillring.db;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatabaseUrlTest {

    @Test
    void shouldReadThePostgresForm() {
        DatabaseUrl u = DatabaseUrl.parse("postgres://game%40ops:p%3Ass@db.local:6543/thrill?sslmode=require");
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db.local:6543/thrill?sslmode=require");
        assertThat(u.user()).contains("game@ops");
        assertThat(u.password()).contains("p:ss");
    }

    @Test
    void shouldDefaultTheDatabaseNameAndPort() {
        assertThat(DatabaseUrl.parse("postgresql://u@host").jdbcUrl()).isEqualTo("jdbc:postgresql://host/postgres");
    }

    @Test
    void shouldMoveCredentialsOutOfAJdbcUrl() {
        DatabaseUrl u = DatabaseUrl.parse("jdbc:postgresql://h:5432/db?user=o&ssl=true&password=x");
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/db?ssl=true");
        assertThat(u.user()).contains("o");
        assertThat(u.password()).contains("x");
    }

    @Test
    void shouldRefuseOtherSchemes() {
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://h/db")).hasMessageContaining("DATABASE_URL");
    }
}
