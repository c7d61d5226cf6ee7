<?php
/**
 * Run PHP inside the local WordPress from the command line: `php wp.php <site dir> <script.php>`.
 * Loads WordPress as a request to the site would (the site's wp-config.php), then includes the
 * script; whatever it prints is the answer. With WP_INSTALLING (env LAKEHOUSE_WP_INSTALLING=1)
 * for the installer, which runs before any table exists.
 */
if ( $argc < 3 ) {
	fwrite( STDERR, "usage: php wp.php <site dir> <script.php> [args...]\n" );
	exit( 2 );
}
$lakehouse_site = rtrim( $argv[1], '/' );
$_SERVER['HTTP_HOST']   = parse_url( getenv( 'LAKEHOUSE_WP_URL' ), PHP_URL_HOST ) . ':' . parse_url( getenv( 'LAKEHOUSE_WP_URL' ), PHP_URL_PORT );
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
if ( getenv( 'LAKEHOUSE_WP_INSTALLING' ) ) {
	define( 'WP_INSTALLING', true );
}
define( 'ABSPATH', $lakehouse_site . '/docroot/' );
require ABSPATH . 'wp-load.php';
$lakehouse_script = $argv[2];
$lakehouse_args   = array_slice( $argv, 3 );
require $lakehouse_script;
