#!/usr/bin/perl
# Builds geolite2-layout-test.mmdb: a tiny database in MaxMind's GeoLite2-Country layout
# (country.iso_code), made with MaxMind's own writer (Debian: libmaxmind-db-writer-perl), so the
# operator-file path (EDGEPROXY_GEOIP_PATH) is tested on the real layout. Known answers follow the
# MaxMind-DB test data: 81.2.69.142 -> GB, 67.43.156.1 -> BT, 2001:218::1 -> JP; 8.8.8.8 absent.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my %types = (country => 'map', iso_code => 'utf8_string', names => 'map', en => 'utf8_string');
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version            => 6,
    record_size           => 24,
    database_type         => 'GeoLite2-Country',
    languages             => ['en'],
    description           => { en => 'edgeproxy test database in the GeoLite2-Country layout' },
    map_key_type_callback => sub { $types{ $_[0] } },
);
$tree->insert_network('81.2.69.0/24',   { country => { iso_code => 'GB', names => { en => 'United Kingdom' } } });
$tree->insert_network('67.43.156.0/24', { country => { iso_code => 'BT', names => { en => 'Bhutan' } } });
$tree->insert_network('2001:218::/32',  { country => { iso_code => 'JP', names => { en => 'Japan' } } });
open my $fh, '>:raw', 'geolite2-layout-test.mmdb' or die $!;
$tree->write_tree($fh);
close $fh;
