<?php
/**
 * Uninstall: remove the role (and with it the capability from every user holding it through the
 * role) and the plugin's options. Deactivation keeps both, so a re-activation changes nothing.
 *
 * @package LakehouseExport
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

require_once __DIR__ . '/includes/class-lakehouse-export-settings.php';

remove_role( Lakehouse_Export_Settings::ROLE );
// A capability granted to a single user or another role outside the plugin's role goes too.
foreach ( wp_roles()->role_objects as $lakehouse_export_role ) {
	$lakehouse_export_role->remove_cap( Lakehouse_Export_Settings::CAPABILITY );
}
foreach ( Lakehouse_Export_Settings::option_names() as $lakehouse_export_option ) {
	delete_option( $lakehouse_export_option );
}
