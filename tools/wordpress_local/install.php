<?php
/**
 * Non-interactive install (run through wp.php with LAKEHOUSE_WP_INSTALLING=1):
 * `install.php <admin password>` installs the site, turns on pretty permalinks and activates the
 * lakehouse-export plugin (its activation hook adds the lakehouse_exporter role).
 */
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

$lakehouse_result = wp_install( 'Lakehouse test blog', 'admin', 'admin@example.com', false, '', wp_slash( $lakehouse_args[0] ), 'en_US' );
if ( is_wp_error( $lakehouse_result ) ) {
	fwrite( STDERR, 'wp_install failed: ' . $lakehouse_result->get_error_message() . "\n" );
	exit( 1 );
}
update_option( 'permalink_structure', '/%year%/%monthnum%/%postname%/' );
update_option( 'timezone_string', 'UTC' );
$lakehouse_activated = activate_plugin( 'lakehouse-export/lakehouse-export.php' );
if ( is_wp_error( $lakehouse_activated ) ) {
	fwrite( STDERR, 'plugin activation failed: ' . $lakehouse_activated->get_error_message() . "\n" );
	exit( 1 );
}
echo wp_json_encode( array( 'installed' => true, 'active_plugins' => get_option( 'active_plugins' ) ) );
