<?php
/**
 * What the plugin exports: settings (Settings > Lakehouse export), their defaults and the rules no
 * setting can override.
 *
 * @package LakehouseExport
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Settings and the fixed export rules.
 */
class Lakehouse_Export_Settings {

	const CAPABILITY      = 'lakehouse_export';
	const ROLE            = 'lakehouse_exporter';
	const OPTION_STATUSES = 'lakehouse_export_post_statuses';
	const OPTION_TYPES    = 'lakehouse_export_post_types';
	const OPTION_PRIVATE  = 'lakehouse_export_private_content';
	const PAGE            = 'lakehouse-export';

	/** Statuses a site owner may choose to export. Trash and auto-drafts are not among them. */
	const SELECTABLE_STATUSES = array( 'publish', 'future', 'draft', 'pending', 'private' );

	/** Post types never exported: revisions, and core types that hold requests or internals. */
	const NEVER_TYPES = array( 'revision', 'customize_changeset', 'oembed_cache', 'user_request', 'wp_global_styles' );

	/** Default: published posts and pages only. */
	const DEFAULT_STATUSES = array( 'publish' );
	const DEFAULT_TYPES    = array( 'post', 'page' );

	/**
	 * Option names, for uninstall.
	 *
	 * @return string[]
	 */
	public static function option_names() {
		return array( self::OPTION_STATUSES, self::OPTION_TYPES, self::OPTION_PRIVATE );
	}

	/** Store the defaults unless the site already chose (re-activation keeps the choice). */
	public static function add_defaults() {
		add_option( self::OPTION_STATUSES, self::DEFAULT_STATUSES );
		add_option( self::OPTION_TYPES, self::DEFAULT_TYPES );
		add_option( self::OPTION_PRIVATE, 0 );
	}

	/**
	 * Exported post statuses: the option, restricted to the selectable ones.
	 *
	 * @return string[]
	 */
	public static function post_statuses() {
		return self::sanitize_statuses( get_option( self::OPTION_STATUSES, self::DEFAULT_STATUSES ) );
	}

	/**
	 * Exported post types: the option, without the never-exported ones.
	 *
	 * @return string[]
	 */
	public static function post_types() {
		return self::sanitize_types( get_option( self::OPTION_TYPES, self::DEFAULT_TYPES ) );
	}

	/**
	 * Whether the content of private and password-protected posts is exported.
	 *
	 * @return bool
	 */
	public static function export_private_content() {
		return (bool) get_option( self::OPTION_PRIVATE, 0 );
	}

	/**
	 * Keep only selectable statuses (anything else, trash and auto-draft included, is dropped).
	 *
	 * @param mixed $value Submitted or stored value.
	 * @return string[]
	 */
	public static function sanitize_statuses( $value ) {
		$value = is_array( $value ) ? array_map( 'strval', $value ) : array();
		return array_values( array_intersect( self::SELECTABLE_STATUSES, $value ) );
	}

	/**
	 * Keep post type names (lowercase keys) that are not in the never list.
	 *
	 * @param mixed $value Submitted or stored value.
	 * @return string[]
	 */
	public static function sanitize_types( $value ) {
		$value = is_array( $value ) ? array_map( 'sanitize_key', array_map( 'strval', $value ) ) : array();
		$value = array_filter(
			array_unique( $value ),
			function ( $type ) {
				return '' !== $type && ! in_array( $type, self::NEVER_TYPES, true );
			}
		);
		sort( $value );
		return array_values( $value );
	}

	/**
	 * Checkbox value -> 0/1.
	 *
	 * @param mixed $value Submitted value.
	 * @return int
	 */
	public static function sanitize_flag( $value ) {
		return empty( $value ) ? 0 : 1;
	}

	/** Register the options (admin_init). */
	public static function register() {
		register_setting(
			self::PAGE,
			self::OPTION_STATUSES,
			array(
				'type'              => 'array',
				'sanitize_callback' => array( __CLASS__, 'sanitize_statuses' ),
				'default'           => self::DEFAULT_STATUSES,
			)
		);
		register_setting(
			self::PAGE,
			self::OPTION_TYPES,
			array(
				'type'              => 'array',
				'sanitize_callback' => array( __CLASS__, 'sanitize_types' ),
				'default'           => self::DEFAULT_TYPES,
			)
		);
		register_setting(
			self::PAGE,
			self::OPTION_PRIVATE,
			array(
				'type'              => 'boolean',
				'sanitize_callback' => array( __CLASS__, 'sanitize_flag' ),
				'default'           => 0,
			)
		);
	}

	/** Settings > Lakehouse export (admin_menu). */
	public static function add_page() {
		add_options_page( 'Lakehouse export', 'Lakehouse export', 'manage_options', self::PAGE, array( __CLASS__, 'render_page' ) );
	}

	/** The settings form. */
	public static function render_page() {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		$statuses = self::post_statuses();
		$types    = self::post_types();
		echo '<div class="wrap"><h1>Lakehouse export</h1><form method="post" action="options.php">';
		settings_fields( self::PAGE );
		echo '<table class="form-table" role="presentation">';
		echo '<tr><th scope="row">Post statuses</th><td>';
		foreach ( self::SELECTABLE_STATUSES as $status ) {
			printf(
				'<label><input type="checkbox" name="%s[]" value="%s"%s> %s</label><br>',
				esc_attr( self::OPTION_STATUSES ),
				esc_attr( $status ),
				checked( in_array( $status, $statuses, true ), true, false ),
				esc_html( $status )
			);
		}
		echo '<p class="description">Trash, auto-drafts and revisions are never exported.</p></td></tr>';
		echo '<tr><th scope="row">Post types</th><td>';
		foreach ( get_post_types( array(), 'objects' ) as $type ) {
			if ( in_array( $type->name, self::NEVER_TYPES, true ) ) {
				continue;
			}
			printf(
				'<label><input type="checkbox" name="%s[]" value="%s"%s> %s (%s)</label><br>',
				esc_attr( self::OPTION_TYPES ),
				esc_attr( $type->name ),
				checked( in_array( $type->name, $types, true ), true, false ),
				esc_html( $type->label ),
				esc_html( $type->name )
			);
		}
		echo '</td></tr>';
		echo '<tr><th scope="row">Private content</th><td>';
		printf(
			'<label><input type="checkbox" name="%s" value="1"%s> Export the content and excerpt of private and password-protected posts</label>',
			esc_attr( self::OPTION_PRIVATE ),
			checked( self::export_private_content(), true, false )
		);
		echo '<p class="description">Off: their rows are exported with empty content and excerpt. Post passwords are never exported.</p></td></tr>';
		echo '</table>';
		submit_button();
		echo '</form></div>';
	}
}
