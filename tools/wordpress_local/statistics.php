<?php
/**
 * WP Statistics' page-view table, with its real schema (WP Statistics 14: one row per uri and
 * day; `id` is the post id for posts/pages, the term id for archives, 0 for the home page).
 * The plugin itself is not packaged for Debian, so the harness creates the table it would.
 *
 * As a script (through wp.php): `statistics.php <first day> <last day> <seed>` records views for
 * those days (creating the table when missing); an existing (date, uri) row gets the new views
 * added, as WP Statistics does during the day. Prints {"rows": <rows in the table>}.
 */

/** Create the table as WP Statistics does (no-op when it exists). */
function lakehouse_statistics_create_table() {
	global $wpdb;
	$table = $wpdb->prefix . 'statistics_pages';
	$wpdb->query(
		"CREATE TABLE IF NOT EXISTS `{$table}` (
			page_id BIGINT(20) NOT NULL AUTO_INCREMENT,
			uri varchar(190) NOT NULL,
			type varchar(180) NOT NULL,
			date date NOT NULL,
			count int(11) NOT NULL,
			id int(11) NOT NULL,
			UNIQUE KEY date_2 (date, uri),
			KEY url (uri),
			KEY date (date),
			KEY id (id),
			KEY uri (uri, count, id),
			PRIMARY KEY (page_id)
		) " . $wpdb->get_charset_collate()
	);
}

/**
 * Views for every published post and page, the home page and category archives on each day.
 *
 * @param string $first First day YYYY-MM-DD.
 * @param string $last  Last day YYYY-MM-DD.
 * @param int    $seed  Random seed (same seed, same views).
 */
function lakehouse_statistics_record( $first, $last, $seed ) {
	global $wpdb;
	lakehouse_statistics_create_table();
	mt_srand( (int) $seed );
	$targets = array( array( '/', 'home', 0 ) );
	$posts   = $wpdb->get_results( "SELECT ID, post_type FROM {$wpdb->posts} WHERE post_status = 'publish' AND post_type IN ('post', 'page') ORDER BY ID" );
	foreach ( $posts as $post ) {
		$targets[] = array( wp_make_link_relative( get_permalink( (int) $post->ID ) ), $post->post_type, (int) $post->ID );
	}
	foreach ( get_terms( array( 'taxonomy' => 'category', 'hide_empty' => false ) ) as $term ) {
		$targets[] = array( wp_make_link_relative( get_term_link( $term ) ), 'category', (int) $term->term_id );
	}
	$table = $wpdb->prefix . 'statistics_pages';
	for ( $day = strtotime( $first . ' 00:00:00 UTC' ); $day <= strtotime( $last . ' 00:00:00 UTC' ); $day += 86400 ) {
		$date = gmdate( 'Y-m-d', $day );
		foreach ( $targets as $target ) {
			if ( mt_rand( 0, 9 ) < 2 ) {
				continue; // not every page is visited every day.
			}
			$views = mt_rand( 1, 'home' === $target[1] ? 400 : 60 );
			$wpdb->query(
				$wpdb->prepare(
					"INSERT INTO `{$table}` (uri, type, date, count, id) VALUES (%s, %s, %s, %d, %d) ON DUPLICATE KEY UPDATE count = count + VALUES(count)",
					$target[0],
					$target[1],
					$date,
					$views,
					$target[2]
				)
			);
		}
	}
	return (int) $wpdb->get_var( "SELECT COUNT(*) FROM `{$table}`" );
}

if ( isset( $lakehouse_args ) && 3 === count( $lakehouse_args ) && basename( $argv[2] ) === 'statistics.php' ) {
	echo wp_json_encode( array( 'rows' => lakehouse_statistics_record( $lakehouse_args[0], $lakehouse_args[1], (int) $lakehouse_args[2] ) ) );
}
