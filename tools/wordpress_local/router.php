<?php
/**
 * Router for PHP's built-in server in front of Debian's WordPress (tools/wordpress_local).
 *
 * The document root is a per-site directory of symlinks into /usr/share/wordpress plus the site's
 * own wp-config.php; defining ABSPATH here makes WordPress load that config instead of Debian's
 * (which would need a file in /etc/wordpress). Pretty permalinks: every path that is not a file
 * goes to index.php, as Apache's rewrite rules would.
 */
define( 'ABSPATH', rtrim( $_SERVER['DOCUMENT_ROOT'], '/' ) . '/' );

/** Only WordPress's own files (or the site directory) are ever executed. */
function lakehouse_allowed( $file ) {
	foreach ( array( realpath( ABSPATH ), '/usr/share/wordpress' ) as $root ) {
		if ( false !== $file && 0 === strpos( $file, $root . '/' ) ) {
			return true;
		}
	}
	return false;
}

$lakehouse_path = parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH );
$lakehouse_file = realpath( ABSPATH . ltrim( (string) $lakehouse_path, '/' ) );
if ( ! lakehouse_allowed( $lakehouse_file ) ) {
	$lakehouse_file = false;
}
if ( false !== $lakehouse_file && is_file( $lakehouse_file ) ) {
	if ( '.php' !== substr( $lakehouse_file, -4 ) ) {
		return false; // static file: the built-in server sends it.
	}
	$_SERVER['SCRIPT_NAME'] = $lakehouse_path;
	chdir( dirname( $lakehouse_file ) );
	require $lakehouse_file;
	return true;
}
if ( false !== $lakehouse_file && is_dir( $lakehouse_file ) && is_file( $lakehouse_file . '/index.php' ) ) {
	chdir( $lakehouse_file );
	require $lakehouse_file . '/index.php';
	return true;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
chdir( ABSPATH );
require ABSPATH . 'index.php';
