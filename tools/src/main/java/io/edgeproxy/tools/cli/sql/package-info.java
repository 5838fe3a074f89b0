/**
 * {@code edgeproxy sql}: routing.db in a {@code sqlite3}-style shell. Statements are split as
 * {@code sqlite3} splits them, run on one SQLite connection (read-only unless {@code --write}) and
 * printed in the shell's output mode; lines come from a JLine terminal or from plain input.
 *
 * <p>Starting points: {@link io.edgeproxy.tools.cli.sql.SqlCommand}, {@code SqlShell}, {@code SqlSession}.
 */
@NullMarked
package io.edgeproxy.tools.cli.sql;

import org.jspecify.annotations.NullMarked;
