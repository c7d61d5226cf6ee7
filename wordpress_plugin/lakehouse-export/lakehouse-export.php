<?php
/**
 * Plugin Name:       Lakehouse Export
 * Description:       Read-only REST routes (lakehouse/v1) that export posts, terms and WP Statistics page views as table rows for the frugal-lakehouse pipeline. Only users with the lakehouse_export capability may read them.
 * Version:           1.0.0
 * Requires at least: 6.1
 * Requires PHP:      7.4
 * License:           MIT
 * Text Domain:       lakehouse-export
 *
 * @package LakehouseExport
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

define( 'LAKEHOUSE_EXPORT_VERSION', '1.0.0' );

require_once __DIR__ . '/includes/class-lakehouse-export-settings.php';
require_once __DIR__ . '/includes/class-lakehouse-export-routes.php';

/**
 * Activation: the dedicated role carries the capability; administrators do not get it implicitly,
 * so exporting is always a deliberate grant to a (usually dedicated) user.
 */
function lakehouse_export_activate() {
	if ( null === get_role( Lakehouse_Export_Settings::ROLE ) ) {
		add_role(
			Lakehouse_Export_Settings::ROLE,
			'Lakehouse exporter',
			array(
				'read'                                  => true,
				Lakehouse_Export_Settings::CAPABILITY   => true,
			)
		);
	}
	Lakehouse_Export_Settings::add_defaults();
}
register_activation_hook( __FILE__, 'lakehouse_export_activate' );

add_action( 'rest_api_init', array( 'Lakehouse_Export_Routes', 'register' ) );
add_action( 'admin_init', array( 'Lakehouse_Export_Settings', 'register' ) );
add_action( 'admin_menu', array( 'Lakehouse_Export_Settings', 'add_page' ) );
