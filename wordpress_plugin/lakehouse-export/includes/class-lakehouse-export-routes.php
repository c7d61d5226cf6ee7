<?php
/**
 * The read-only routes GET /wp-json/lakehouse/v1/<dataset>: table rows, paged as WordPress pages
 * (page, per_page <= 100, X-WP-Total, X-WP-TotalPages, 400 past the last page, Link rel="next"),
 * ordered by the table's primary key so that consecutive pages neither repeat nor skip rows.
 *
 * Tables keyed by one integer column also page by key: `after=<last key of the previous page>`
 * reads the next rows with an index range instead of an OFFSET scan (a deep OFFSET reads and
 * discards every earlier row, so a full read of a large table grows quadratically), and rows
 * added while paging neither shift nor repeat anything. Such pages carry X-WP-Total on the first
 * page (after=0) only, no X-WP-TotalPages, and a Link rel="next" while rows remain.
 *
 * @package LakehouseExport
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Route registration and the queries behind each dataset.
 */
class Lakehouse_Export_Routes {

	const NAMESPACE_V1 = 'lakehouse/v1';

	/** Most rows one page may hold (WordPress's own REST limit). */
	const MAX_PER_PAGE = 100;

	/**
	 * Datasets paged by key, and their key column (the table's integer primary key).
	 *
	 * @return array<string, string>
	 */
	public static function keyset_columns() {
		return array(
			'posts'            => 'ID',
			'statistics_pages' => 'page_id',
			'term_taxonomy'    => 'term_taxonomy_id',
			'terms'            => 'term_id',
		);
	}

	/**
	 * Column contract per dataset: name => kind ('int' is cast to a JSON number, 'str' stays text,
	 * dates stay MySQL's text form). Names are the MySQL columns of core WordPress and WP Statistics.
	 * wp_posts.post_password is deliberately absent.
	 *
	 * @return array<string, array<string, string>>
	 */
	public static function columns() {
		return array(
			'posts'              => array(
				'ID'                    => 'int',
				'post_author'           => 'int',
				'post_date'             => 'str',
				'post_date_gmt'         => 'str',
				'post_content'          => 'str',
				'post_title'            => 'str',
				'post_excerpt'          => 'str',
				'post_status'           => 'str',
				'comment_status'        => 'str',
				'ping_status'           => 'str',
				'post_name'             => 'str',
				'to_ping'               => 'str',
				'pinged'                => 'str',
				'post_modified'         => 'str',
				'post_modified_gmt'     => 'str',
				'post_content_filtered' => 'str',
				'post_parent'           => 'int',
				'guid'                  => 'str',
				'menu_order'            => 'int',
				'post_type'             => 'str',
				'post_mime_type'        => 'str',
				'comment_count'         => 'int',
			),
			'statistics_pages'   => array(
				'page_id' => 'int',
				'uri'     => 'str',
				'type'    => 'str',
				'date'    => 'str',
				'count'   => 'int',
				'id'      => 'int',
			),
			'term_relationships' => array(
				'object_id'        => 'int',
				'term_taxonomy_id' => 'int',
				'term_order'       => 'int',
			),
			'term_taxonomy'      => array(
				'term_taxonomy_id' => 'int',
				'term_id'          => 'int',
				'taxonomy'         => 'str',
				'description'      => 'str',
				'parent'           => 'int',
				'count'            => 'int',
			),
			'terms'              => array(
				'term_id'    => 'int',
				'name'       => 'str',
				'slug'       => 'str',
				'term_group' => 'int',
			),
		);
	}

	/** Register one GET route per dataset (rest_api_init). */
	public static function register() {
		foreach ( array_keys( self::columns() ) as $dataset ) {
			$args = self::paging_args();
			if ( isset( self::keyset_columns()[ $dataset ] ) ) {
				$args['after'] = array(
					'description' => 'Only rows whose key is greater than this (the last key of the previous page): paging by key.',
					'type'        => 'integer',
					'minimum'     => 0,
				);
			}
			if ( 'statistics_pages' === $dataset ) {
				$args['from'] = array(
					'description'       => 'Only rows whose date is on or after this day (YYYY-MM-DD): incremental reads.',
					'type'              => 'string',
					'format'            => 'date',
					'validate_callback' => array( __CLASS__, 'validate_day' ),
				);
			}
			register_rest_route(
				self::NAMESPACE_V1,
				'/' . $dataset,
				array(
					'methods'             => WP_REST_Server::READABLE,
					'callback'            => function ( WP_REST_Request $request ) use ( $dataset ) {
						return Lakehouse_Export_Routes::serve( $dataset, $request );
					},
					'permission_callback' => array( __CLASS__, 'can_export' ),
					'args'                => $args,
				)
			);
		}
	}

	/**
	 * The page/per_page arguments, validated by WordPress (400 rest_invalid_param outside the range).
	 *
	 * @return array
	 */
	private static function paging_args() {
		return array(
			'page'     => array(
				'description' => 'Current page of the collection.',
				'type'        => 'integer',
				'default'     => 1,
				'minimum'     => 1,
			),
			'per_page' => array(
				'description' => 'Maximum number of rows to return in one page.',
				'type'        => 'integer',
				'default'     => 10,
				'minimum'     => 1,
				'maximum'     => self::MAX_PER_PAGE,
			),
		);
	}

	/**
	 * A calendar day YYYY-MM-DD.
	 *
	 * @param mixed $value Request value.
	 * @return true|WP_Error
	 */
	public static function validate_day( $value ) {
		if ( is_string( $value ) && preg_match( '/^(\d{4})-(\d{2})-(\d{2})$/', $value, $m ) && checkdate( (int) $m[2], (int) $m[3], (int) $m[1] ) ) {
			return true;
		}
		return new WP_Error( 'rest_invalid_param', 'from must be a day YYYY-MM-DD.', array( 'status' => 400 ) );
	}

	/**
	 * Only users holding the capability. Anonymous -> 401, signed in without it -> 403
	 * (rest_authorization_required_code(), as core routes answer).
	 *
	 * @return true|WP_Error
	 */
	public static function can_export() {
		if ( current_user_can( Lakehouse_Export_Settings::CAPABILITY ) ) {
			return true;
		}
		return new WP_Error(
			'rest_forbidden',
			is_user_logged_in()
				? 'Sorry, this user lacks the lakehouse_export capability.'
				: 'Sorry, you must authenticate (an application password of a user with the lakehouse_export capability).',
			array( 'status' => rest_authorization_required_code() )
		);
	}

	/**
	 * FROM/WHERE of a dataset's query (with placeholders already bound), or a WP_Error.
	 *
	 * @param string          $dataset Dataset name.
	 * @param WP_REST_Request $request The request.
	 * @return array{0: string, 1: string}|WP_Error [from_where, order_by]
	 */
	private static function source( $dataset, WP_REST_Request $request ) {
		global $wpdb;
		switch ( $dataset ) {
			case 'posts':
				return array( "FROM {$wpdb->posts} p WHERE " . self::exported_posts_condition( 'p' ), 'p.ID' );
			case 'term_relationships':
				// Only relationships of exported posts: a draft's terms would reveal the draft.
				return array(
					"FROM {$wpdb->term_relationships} r INNER JOIN {$wpdb->posts} p ON p.ID = r.object_id WHERE " . self::exported_posts_condition( 'p' ),
					'r.object_id, r.term_taxonomy_id',
				);
			case 'term_taxonomy':
				return array( "FROM {$wpdb->term_taxonomy} t", 't.term_taxonomy_id' );
			case 'terms':
				return array( "FROM {$wpdb->terms} t", 't.term_id' );
			case 'statistics_pages':
				$table = $wpdb->prefix . 'statistics_pages';
				// phpcs:ignore WordPress.DB.DirectDatabaseQuery
				$found = $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $table ) ) );
				if ( $found !== $table ) {
					return new WP_Error(
						'lakehouse_statistics_unavailable',
						sprintf( 'WP Statistics is not installed on this site: its table %s does not exist. Install and activate WP Statistics, or leave statistics_pages out of the pipeline.', $table ),
						array( 'status' => 501 )
					);
				}
				$from = $request->get_param( 'from' );
				$where = null === $from ? '' : $wpdb->prepare( ' WHERE t.`date` >= %s', $from );
				return array( "FROM `{$table}` t{$where}", 't.page_id' );
		}
		return new WP_Error( 'rest_no_route', 'No route was found matching the URL and request method.', array( 'status' => 404 ) );
	}

	/**
	 * SQL condition selecting the posts the settings export. Trash, auto-drafts and revisions can
	 * never match: they are not selectable. Attachments carry status 'inherit'.
	 *
	 * @param string $alias Table alias of wp_posts.
	 * @return string
	 */
	private static function exported_posts_condition( $alias ) {
		$statuses = Lakehouse_Export_Settings::post_statuses();
		$types    = Lakehouse_Export_Settings::post_types();
		if ( empty( $types ) ) {
			return '1 = 0';
		}
		$status_sql = empty( $statuses ) ? '1 = 0' : "{$alias}.post_status IN (" . self::in_list( $statuses ) . ')';
		$inherit    = in_array( 'attachment', $types, true ) ? " OR ({$alias}.post_type = 'attachment' AND {$alias}.post_status = 'inherit')" : '';
		return "{$alias}.post_type IN (" . self::in_list( $types ) . ") AND ({$status_sql}{$inherit})";
	}

	/**
	 * Quoted, escaped SQL list of strings.
	 *
	 * @param string[] $values Values.
	 * @return string
	 */
	private static function in_list( array $values ) {
		global $wpdb;
		return implode(
			', ',
			array_map(
				function ( $value ) use ( $wpdb ) {
					return $wpdb->prepare( '%s', $value );
				},
				$values
			)
		);
	}

	/**
	 * Serve one page of a dataset.
	 *
	 * @param string          $dataset Dataset name.
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function serve( $dataset, WP_REST_Request $request ) {
		global $wpdb;
		$source = self::source( $dataset, $request );
		if ( is_wp_error( $source ) ) {
			return $source;
		}
		list( $from_where, $order_by ) = $source;
		$after = $request->get_param( 'after' );
		if ( null !== $after && isset( self::keyset_columns()[ $dataset ] ) ) {
			return self::serve_after( $dataset, $request, $from_where, $order_by, (int) $after );
		}
		$columns  = self::columns()[ $dataset ];
		$page     = (int) $request->get_param( 'page' );
		$per_page = (int) $request->get_param( 'per_page' );
		$alias    = strtok( $order_by, '.' );

		$select = array();
		foreach ( array_keys( $columns ) as $column ) {
			$select[] = "{$alias}.`{$column}`";
		}
		if ( 'posts' === $dataset ) {
			// Used to withhold content, then removed: the password itself never leaves the database.
			$select[] = "({$alias}.post_password <> '' OR {$alias}.post_status = 'private') AS lakehouse_restricted";
		}
		// phpcs:disable WordPress.DB.PreparedSQL,WordPress.DB.DirectDatabaseQuery
		$total = (int) $wpdb->get_var( "SELECT COUNT(*) {$from_where}" );
		$pages = (int) ceil( $total / $per_page );
		if ( $page > $pages && $total > 0 ) {
			return new WP_Error(
				'rest_post_invalid_page_number',
				'The page number requested is larger than the number of pages available.',
				array( 'status' => 400 )
			);
		}
		$rows = $wpdb->get_results(
			$wpdb->prepare( 'SELECT ' . implode( ', ', $select ) . " {$from_where} ORDER BY {$order_by} LIMIT %d OFFSET %d", $per_page, ( $page - 1 ) * $per_page ),
			ARRAY_A
		);
		// phpcs:enable
		if ( null === $rows || '' !== $wpdb->last_error ) {
			return new WP_Error( 'lakehouse_query_failed', 'The export query failed; see the site\'s error log.', array( 'status' => 500 ) );
		}
		$private_content = Lakehouse_Export_Settings::export_private_content();
		$out             = array();
		foreach ( $rows as $row ) {
			$out[] = self::typed_row( $row, $columns, $private_content );
		}

		$response = new WP_REST_Response( $out, 200 );
		$response->header( 'X-WP-Total', (string) $total );
		$response->header( 'X-WP-TotalPages', (string) $pages );
		$base = rest_url( self::NAMESPACE_V1 . '/' . $dataset );
		$query = $request->get_query_params();
		if ( $page < $pages ) {
			$response->link_header( 'next', add_query_arg( array_merge( $query, array( 'page' => $page + 1 ) ), $base ) );
		}
		if ( $page > 1 && $page <= $pages ) {
			$response->link_header( 'prev', add_query_arg( array_merge( $query, array( 'page' => $page - 1 ) ), $base ) );
		}
		return $response;
	}

	/**
	 * One page by key: the rows whose key is above $after, in key order, read by an index range.
	 *
	 * @param string          $dataset    Dataset name.
	 * @param WP_REST_Request $request    The request.
	 * @param string          $from_where FROM/WHERE of the dataset.
	 * @param string          $order_by   The key column (alias.column).
	 * @param int             $after      Last key of the previous page (0: first page).
	 * @return WP_REST_Response|WP_Error
	 */
	private static function serve_after( $dataset, WP_REST_Request $request, $from_where, $order_by, $after ) {
		global $wpdb;
		$columns  = self::columns()[ $dataset ];
		$per_page = (int) $request->get_param( 'per_page' );
		$alias    = strtok( $order_by, '.' );
		$key      = self::keyset_columns()[ $dataset ];
		$select   = array();
		foreach ( array_keys( $columns ) as $column ) {
			$select[] = "{$alias}.`{$column}`";
		}
		if ( 'posts' === $dataset ) {
			$select[] = "({$alias}.post_password <> '' OR {$alias}.post_status = 'private') AS lakehouse_restricted";
		}
		$joiner = false === stripos( $from_where, ' WHERE ' ) ? ' WHERE ' : ' AND ';
		// phpcs:disable WordPress.DB.PreparedSQL,WordPress.DB.DirectDatabaseQuery
		$total = 0 === $after ? (int) $wpdb->get_var( "SELECT COUNT(*) {$from_where}" ) : null;
		// One row more than the page: whether a next page exists, without counting again.
		$rows = $wpdb->get_results(
			$wpdb->prepare( 'SELECT ' . implode( ', ', $select ) . " {$from_where}{$joiner}{$order_by} > %d ORDER BY {$order_by} LIMIT %d", $after, $per_page + 1 ),
			ARRAY_A
		);
		// phpcs:enable
		if ( null === $rows || '' !== $wpdb->last_error ) {
			return new WP_Error( 'lakehouse_query_failed', 'The export query failed; see the site\'s error log.', array( 'status' => 500 ) );
		}
		$more = count( $rows ) > $per_page;
		$rows = array_slice( $rows, 0, $per_page );
		$private_content = Lakehouse_Export_Settings::export_private_content();
		$out             = array();
		foreach ( $rows as $row ) {
			$out[] = self::typed_row( $row, $columns, $private_content );
		}
		$response = new WP_REST_Response( $out, 200 );
		if ( null !== $total ) {
			$response->header( 'X-WP-Total', (string) $total );
		}
		if ( $more ) {
			$last = end( $out );
			$base = rest_url( self::NAMESPACE_V1 . '/' . $dataset );
			$response->link_header( 'next', add_query_arg( array_merge( $request->get_query_params(), array( 'after' => $last[ $key ] ) ), $base ) );
		}
		return $response;
	}

	/**
	 * One database row -> the exported object (ints as numbers, restricted content withheld).
	 *
	 * @param array<string, string|null> $row             Row from $wpdb.
	 * @param array<string, string>      $columns         Column kinds.
	 * @param bool                       $private_content Whether restricted content is exported.
	 * @return array<string, mixed>
	 */
	private static function typed_row( array $row, array $columns, $private_content ) {
		$restricted = ! empty( $row['lakehouse_restricted'] );
		$out        = array();
		foreach ( $columns as $column => $kind ) {
			$value = $row[ $column ];
			if ( 'int' === $kind && null !== $value ) {
				$value = (int) $value;
			}
			$out[ $column ] = $value;
		}
		if ( $restricted && ! $private_content ) {
			$out['post_content']          = '';
			$out['post_excerpt']          = '';
			$out['post_content_filtered'] = '';
		}
		return $out;
	}
}
