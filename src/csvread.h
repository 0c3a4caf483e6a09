/* Transitional: the old internal names of the table reader, for the CLI files
 * that have not moved to immunosim/table.h yet (common.c, explore.c, sweep.c).
 * New code includes immunosim/table.h. */
#ifndef IMS_CSVREAD_H
#define IMS_CSVREAD_H

#include "immunosim/table.h"

#define IMS__CSV_MAX_FIELDS IMS_TABLE_MAX_FIELDS
typedef ims_table_row_t ims__csv_row_t;
#define ims__csv_read_file ims_table_read_file
#define ims__parse_double ims_table_double
#define ims__parse_long ims_table_long

#endif
