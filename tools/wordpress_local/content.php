<?php
/**
 * Realistic content for the local site (through wp.php): `content.php <stats first day> <stats last day>`.
 *
 * Users: `lakehouse` (role lakehouse_exporter) and `author` (a core Author, without the
 * capability), each with an application password. Content: categories and tags with entities and
 * non-Latin names; 32 published posts whose titles carry HTML entities, curly quotes, emoji and
 * non-Latin scripts; drafts, a pending and a scheduled post; a private and a password-protected
 * post; a trashed post, revisions and an auto-draft; pages; WP Statistics rows. Prints a JSON
 * manifest of users and passwords (the tests compute expectations from the database itself).
 */
require_once ABSPATH . 'wp-admin/includes/post.php';
require_once __DIR__ . '/statistics.php';

wp_set_current_user( 1 ); // the admin writes the content, as on a real blog.

/**
 * A user with a role and an application password.
 *
 * @param string $login Login.
 * @param string $role  Role.
 * @return array{login: string, id: int, application_password: string}
 */
function lakehouse_user( $login, $role ) {
	$id = wp_insert_user(
		array(
			'user_login' => $login,
			'user_pass'  => wp_generate_password( 24 ),
			'user_email' => $login . '@example.com',
			'role'       => $role,
		)
	);
	if ( is_wp_error( $id ) ) {
		fwrite( STDERR, $id->get_error_message() . "\n" );
		exit( 1 );
	}
	$created = WP_Application_Passwords::create_new_application_password( $id, array( 'name' => 'frugal-lakehouse' ) );
	if ( is_wp_error( $created ) ) {
		fwrite( STDERR, $created->get_error_message() . "\n" );
		exit( 1 );
	}
	return array( 'login' => $login, 'id' => $id, 'application_password' => $created[0] );
}

$lakehouse_users = array(
	'exporter' => lakehouse_user( 'lakehouse', 'lakehouse_exporter' ),
	'author'   => lakehouse_user( 'author', 'author' ),
);

$lakehouse_categories = array();
foreach ( array( 'News', 'Data & Analytics', 'Reader’s Questions', 'Ελληνικά', '日本語' ) as $lakehouse_name ) {
	$lakehouse_term         = wp_insert_term( $lakehouse_name, 'category' );
	$lakehouse_categories[] = (int) $lakehouse_term['term_id'];
}
$lakehouse_tags = array( 'python', 'wordpress', 'SQL & more', '"quoted"', 'кириллица', 'emoji 🎉' );

$lakehouse_titles = array(
	'Tom & Jerry’s “big” day out',
	'Hello, world! 👋',
	'Привет, мир',
	'東京の夜 🌃',
	'مرحبا بالعالم',
	'Ελληνικά: καλημέρα',
	'5 < 6 & 7 > 3 — maths for bloggers',
	'“Smart quotes” and ‘single ones’',
	'Café, naïve, façade',
	'🚀 Launch day',
	'Data & Analytics: a primer',
	'It’s 100% done',
	'Emoji only 🎉🎉🎉',
	'한국어 제목',
	'עברית בכותרת',
	'हिन्दी शीर्षक',
	'Ampersand &amp; stored as entity',
	'Dash – en and — em',
	'Ellipsis…',
	'Non‑breaking hyphen',
	'Price: €5 / £4 / ¥600',
	'C++ & C#',
	'<b>Bold</b> in a title',
	'Second post about SQL',
	'Third post about Python',
	'Weekly notes #1',
	'Weekly notes #2',
	'Weekly notes #3',
	'Reader’s question: “why?”',
	'Zürich travel diary',
	'São Paulo food',
	'Last published post',
);
$lakehouse_base = strtotime( gmdate( 'Y-m-d 09:00:00', strtotime( $lakehouse_args[0] . ' UTC' ) ) . ' UTC' );
foreach ( $lakehouse_titles as $lakehouse_i => $lakehouse_title ) {
	$lakehouse_id = wp_insert_post(
		array(
			'post_title'   => wp_slash( $lakehouse_title ),
			'post_content' => wp_slash( "<p>Body of “{$lakehouse_title}” &amp; more.</p>\n<!-- more -->\n<p>Second paragraph.</p>" ),
			'post_excerpt' => wp_slash( 'Excerpt of ' . $lakehouse_title ),
			'post_status'  => 'publish',
			'post_date'    => gmdate( 'Y-m-d H:i:s', $lakehouse_base - ( 40 - $lakehouse_i ) * 86400 ),
		),
		true
	);
	wp_set_post_categories( $lakehouse_id, array( $lakehouse_categories[ $lakehouse_i % count( $lakehouse_categories ) ] ) );
	wp_set_post_tags( $lakehouse_id, array_slice( $lakehouse_tags, $lakehouse_i % 4, 2 ) );
	if ( 0 === $lakehouse_i % 10 ) {
		// An edit: WordPress keeps the previous version as a revision (never exported).
		wp_update_post( array( 'ID' => $lakehouse_id, 'post_content' => wp_slash( '<p>Edited body &amp; more.</p>' ) ) );
	}
}

/**
 * One post of another status.
 *
 * @param array $fields wp_insert_post fields.
 * @return int
 */
function lakehouse_post( array $fields ) {
	$id = wp_insert_post( wp_slash( $fields ), true );
	if ( is_wp_error( $id ) ) {
		fwrite( STDERR, $id->get_error_message() . "\n" );
		exit( 1 );
	}
	return $id;
}

foreach ( array( 'Draft: ideas & plans', 'Draft: 下書き', 'Draft: unfinished “quote' ) as $lakehouse_title ) {
	lakehouse_post( array( 'post_title' => $lakehouse_title, 'post_status' => 'draft', 'post_content' => 'DRAFT-CONTENT' ) );
}
lakehouse_post( array( 'post_title' => 'Pending review', 'post_status' => 'pending', 'post_content' => 'PENDING-CONTENT' ) );
lakehouse_post(
	array(
		'post_title'   => 'Scheduled for next week',
		'post_status'  => 'future',
		'post_date'    => gmdate( 'Y-m-d H:i:s', time() + 7 * 86400 ),
		'post_content' => 'FUTURE-CONTENT',
	)
);
$lakehouse_private = lakehouse_post( array( 'post_title' => 'Private notes', 'post_status' => 'private', 'post_content' => 'PRIVATE-CONTENT-MARKER' ) );
$lakehouse_protected = lakehouse_post(
	array(
		'post_title'    => 'Members only',
		'post_status'   => 'publish',
		'post_password' => 'hunter2-secret',
		'post_content'  => 'PROTECTED-CONTENT-MARKER',
		'post_excerpt'  => 'PROTECTED-EXCERPT-MARKER',
		'post_date'     => gmdate( 'Y-m-d H:i:s', $lakehouse_base - 86400 ),
	)
);
$lakehouse_trashed = lakehouse_post( array( 'post_title' => 'Deleted post', 'post_status' => 'publish', 'post_content' => 'TRASH-CONTENT' ) );
wp_trash_post( $lakehouse_trashed );
$lakehouse_auto_draft = get_default_post_to_edit( 'post', true );

foreach ( array( 'About', 'Контакты', 'Privacy & cookies' ) as $lakehouse_title ) {
	lakehouse_post( array( 'post_title' => $lakehouse_title, 'post_status' => 'publish', 'post_type' => 'page', 'post_content' => 'Page body' ) );
}
lakehouse_post( array( 'post_title' => 'Draft page', 'post_status' => 'draft', 'post_type' => 'page' ) );

$lakehouse_rows = lakehouse_statistics_record( $lakehouse_args[0], $lakehouse_args[1], 7 );

echo wp_json_encode(
	array(
		'users'            => $lakehouse_users,
		'private_post'     => $lakehouse_private,
		'protected_post'   => $lakehouse_protected,
		'trashed_post'     => $lakehouse_trashed,
		'auto_draft'       => (int) $lakehouse_auto_draft->ID,
		'statistics_rows'  => $lakehouse_rows,
	)
);
